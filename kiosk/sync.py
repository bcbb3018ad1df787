"""Send check-ins, check-outs and erase requests to the hub, in minimal form, exactly once.

Each record leaves as the projection the site chose (``[hub] fields``; by default no name and no
email), with an idempotency key (visit id + event), in batches over HTTPS (plain HTTP only to this
machine), behind the kiosk's bearer token. The outbox keeps order and survives restarts; a
record the hub stores or already had is done, a record it rejects is parked with the hub's reason
so the rest of the queue keeps moving, and anything else is retried with growing, jittered
delays. Events leave in the order they happened, also after a long outage: the queue waits on
its oldest record.

Beyond its own visits a kiosk exchanges with the hub what keeps the site consistent: check-outs
staff made here of other kiosks' visits, check-outs other kiosks made of this kiosk's visits, the
host directory, and the deny list (keyed hashes only, under the site's shared deny key).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from kiosk import audit
from kiosk.badges import end_of_visit_day
from kiosk.config import Config
from kiosk.digest import sha256_hex
from kiosk.hub_client import AnswerLostError, HubClient, HubUnavailableError
from kiosk.logs import logger
from kiosk.models import Host, Visit
from kiosk.outbox import next_attempt, random_jitter
from kiosk.records import record
from kiosk.store import Store
from kiosk.timeutil import Clock, from_db, to_db
from kiosk.wire import SHARED_FIELDS

log = logger(__name__)
BATCH = 50  # the first batch of a run; later ones grow while the hub keeps up
MAX_BATCH = 500  # the most the hub takes in one request
SLOW_BATCH_S = 2.0  # a batch answered slower than this halves the next one
LOST_ANSWER_RETRIES = 2  # asked again at once before the batch waits for its backoff


@record(frozen=False)
class SyncReport:
    sent: int = 0
    parked: int = 0
    retrying: int = 0
    erase_requests: int = 0
    remote_checkouts: int = 0


DONE = ("stored", "duplicate", "erased", "expired")  # the hub has (or rightly refuses to keep) it


@record(frozen=False)
class ExchangeReport:
    hosts: int = 0  # new or changed here (the hub sends its directory only when it changed)
    deny_added: int = 0
    deny_pushed: int = 0
    deny_other_key: int = 0  # entries made under another deny key: the site's kiosks disagree
    checked_out_elsewhere: int = 0
    invitations: int = 0  # invitations made in the hub's console, new here
    badge_keys_added: int = 0  # other kiosks' badge keys, new here (``kiosk.site_sync``)
    rights_requests: int = 0  # privacy requests made at the hub, carried out here


def idempotency_key(visit_id: str, event: str) -> str:
    return f"{visit_id}:{event}"


def projection(visit: Visit, event: str, config: Config) -> dict[str, Any]:
    """Only the configured fields; times as UTC text."""
    every = {
        "visit_id": visit.id,
        "site": visit.site,
        "kiosk_id": visit.kiosk_id,
        "host_id": visit.host_id,
        "purpose": visit.purpose,
        "checked_in_at": to_db(visit.checked_in_at),
        "checked_out_at": to_db(visit.checked_out_at) if visit.checked_out_at else None,
        "notice_version": visit.notice_version,
        "purge_after": to_db(visit.purge_after),
        "name": visit.name,
        "email": visit.email,
    }
    record = {field: every[field] for field in config.sync_fields}
    return {"event": event, "idempotency_key": idempotency_key(visit.id, event), "record": record}


@record(frozen=False)
class BatchSize:
    """Grows while the hub answers quickly, halves when it is slow or an answer is lost: a slow
    link then waits on small requests, and a lost answer costs only a small batch's replay."""

    current: int = BATCH

    def after(self, seconds: float, answer_lost: bool) -> None:
        if answer_lost or seconds > SLOW_BATCH_S:
            self.current = max(BATCH // 5, self.current // 2)
        else:
            self.current = min(MAX_BATCH, self.current * 2)


def sync_once(
    store: Store,
    config: Config,
    client: HubClient,
    now: datetime,
    jitter: Callable[[], float] | None = None,
    batch_size: int = BATCH,
) -> SyncReport:
    """One batch of due events, then (unless the hub is away) the check-outs of other kiosks'
    visits and the pending erase requests."""
    report = SyncReport()
    _send_due(store, config, client, now, report, jitter, BatchSize(batch_size))
    if not report.retrying:
        _send_site_changes(store, client, now, report)
    return report


def drain(
    store: Store,
    config: Config,
    client: HubClient,
    clock: Clock,
    jitter: Callable[[], float] | None = None,
) -> SyncReport:
    """Every due event, batch after batch (each its own short transaction, so check-ins go on
    meanwhile), then the check-outs of other kiosks' visits and the erase requests. Stops at
    the first batch the hub cannot take; that batch waits for its backoff."""
    report, size = SyncReport(), BatchSize()
    while _send_due(store, config, client, clock(), report, jitter, size) and not report.retrying:
        pass
    if not report.retrying:
        _send_site_changes(store, client, clock(), report)
    return report


def _send_due(
    store: Store,
    config: Config,
    client: HubClient,
    now: datetime,
    report: SyncReport,
    jitter: Callable[[], float] | None,
    size: BatchSize,
) -> bool:
    """One batch of the oldest due events; False when there was nothing to send."""
    jobs = store.pending_sync_batch(now, size.current)
    if not jobs:
        return False
    visits = store.visits_by_id([job["visit_id"] for job in jobs])
    batch, by_key = [], {}
    for job in jobs:
        visit = visits.get(job["visit_id"])
        if visit is None:  # erased meanwhile: the erase request tells the hub
            store.give_up_outbox(job["id"], now, "visit erased before it was sent")
            continue
        event = projection(visit, job["event"], config)
        batch.append(event)
        by_key[event["idempotency_key"]] = job
    if batch:
        _send(store, client, batch, by_key, now, report, jitter, size)
    return True


def _send_site_changes(store: Store, client: HubClient, now: datetime, report: SyncReport) -> None:
    _send_remote_checkouts(store, client, now, report)
    for request in store.erase_requests(unsent_only=True):
        body = {"receipt": request["receipt"], "visit_ids": json.loads(request["visit_ids"])}
        try:
            client.post("/v1/erase", body, f"erase:{request['receipt']}")
        except HubUnavailableError as error:
            log.warning("erase request %s not sent: %s", request["receipt"], error)
            break
        store.erase_request_sent(request["receipt"], now)
        report.erase_requests += 1


def _send(
    store: Store,
    client: HubClient,
    batch: Sequence[dict[str, Any]],
    by_key: dict[str, Any],
    now: datetime,
    report: SyncReport,
    jitter: Callable[[], float] | None,
    size: BatchSize,
) -> None:
    """POST one batch. A lost answer is asked again at once: the hub answers what it already
    stored from its receipts (idempotent, nothing stored twice) and stores only the rest."""
    body, key = {"events": list(batch)}, _batch_key(batch)
    for attempt in range(LOST_ANSWER_RETRIES + 1):
        started = time.monotonic()
        try:
            answer = client.post("/v1/events", body, key)
        except AnswerLostError as error:
            size.after(time.monotonic() - started, answer_lost=True)
            if attempt < LOST_ANSWER_RETRIES:
                continue
            _retry_later(store, by_key, now, str(error), report, jitter)
            return
        except HubUnavailableError as error:
            _retry_later(store, by_key, now, str(error), report, jitter)
            return
        size.after(time.monotonic() - started, answer_lost=False)
        break
    done = []
    for result in answer.get("results", []):
        job = by_key.get(result.get("idempotency_key", ""))
        if job is None:
            continue
        if result.get("status") in DONE:
            done.append(int(job["id"]))
            report.sent += 1
        else:
            store.give_up_outbox(
                job["id"], now, f"parked: {str(result.get('reason', 'rejected'))[:200]}"
            )
            report.parked += 1
    if done:
        store.finish_outbox_many(done, now)


def _retry_later(
    store: Store,
    by_key: dict[str, Any],
    now: datetime,
    error: str,
    report: SyncReport,
    jitter: Callable[[], float] | None,
) -> None:
    """One time for the whole batch: the queue stays in order for the next try."""
    first = next(iter(by_key.values()))
    retry_at = next_attempt(now, int(first["attempts"]), jitter or random_jitter)
    store.retry_outbox_many([int(job["id"]) for job in by_key.values()], error, retry_at)
    report.retrying += len(by_key)


def _batch_key(batch: Sequence[dict[str, Any]]) -> str:
    keys = [event["idempotency_key"] for event in batch]
    return sha256_hex("\n".join(keys).encode())[:32]


def _send_remote_checkouts(
    store: Store, client: HubClient, now: datetime, report: SyncReport
) -> None:
    """Check-outs made here of visits another kiosk checked in (only the id and the time)."""
    rows = store.unsent_remote_checkouts()
    if not rows:
        return
    by_key = {idempotency_key(row["visit_id"], "checkout"): row for row in rows[:BATCH]}
    events = [
        {
            "event": "checkout",
            "idempotency_key": key,
            "record": {"visit_id": row["visit_id"], "checked_out_at": row["checked_out_at"]},
        }
        for key, row in by_key.items()
    ]
    try:
        answer = client.post("/v1/events", {"events": events}, _batch_key(events))
    except HubUnavailableError as error:
        log.warning("check-outs of other kiosks' visits not sent: %s", error)
        return
    for result in answer.get("results", []):
        row = by_key.get(result.get("idempotency_key", ""))
        if row is None:
            continue
        reason = "" if result.get("status") in DONE else str(result.get("reason", "rejected"))
        store.remote_checkout_done(row["visit_id"], now, reason[:200])
        report.remote_checkouts += 1


def exchange(
    store: Store, config: Config, client: HubClient, deny_key_id: str, now: datetime
) -> ExchangeReport:
    """Everything the site shares through the hub besides this kiosk's own visits. Raises
    ``HubUnavailableError`` if the hub cannot be reached; nothing local is lost then."""
    report = ExchangeReport()
    entries, removed = store.unpushed_deny()
    if entries or removed:
        shared = [_deny_for_hub(entry, deny_key_id) for entry in entries]
        client.post("/v1/deny", {"entries": shared, "removed": removed}, f"deny:{to_db(now)}")
        store.deny_pushed([entry["id"] for entry in entries], removed, now)
        report.deny_pushed = len(entries) + len(removed)
    hub_entries = client.get("/v1/deny").get("entries", [])
    ours = [entry for entry in hub_entries if entry.get("key_id") == deny_key_id]
    report.deny_other_key = len(hub_entries) - len(ours)
    if report.deny_other_key:
        log.warning(
            "%d deny entries on the hub were made under another deny key; copy the site's "
            "deny.key to every kiosk of the site",
            report.deny_other_key,
        )
    report.deny_added = store.replace_shared_deny([_deny_from_hub(e) for e in ours], now)

    directory, tag = client.get_changed("/v1/hosts", store.hub_directory_tag())
    hosts = [_host_from_hub(row) for row in (directory or {}).get("hosts", [])]
    if hosts:  # a hub without a directory for this site leaves the local one alone
        report.hosts = sum(store.upsert_hosts(hosts, tag))

    sent_alerts = int(store.sync_value("alert_cursor", "0") or 0)
    new_alerts = store.alerts_after(sent_alerts)
    if new_alerts:  # what the deny list flagged here, for the front desk's console
        client.post("/v1/alerts", {"alerts": new_alerts}, f"alerts:{new_alerts[-1]['id']}")
        store.set_sync_value("alert_cursor", str(new_alerts[-1]["id"]))

    invited = client.get("/v1/invitations").get("invitations", [])
    report.invitations = store.take_hub_invitations(invited, now)

    since = int(store.sync_value("checkout_cursor", "0") or 0)
    answer = client.get(f"/v1/checkouts?since={since}")
    for change in answer.get("checkouts", []):
        visit = store.visit(str(change["visit_id"]))
        if visit is None or visit.checked_out_at is not None:
            continue
        when = from_db(str(change["checked_out_at"]))
        expires = end_of_visit_day(visit.checked_in_at, config)
        if store.check_out(visit.id, when, "elsewhere", expires, sync=False):
            audit.record(store, now, "checkout", f"kiosk:{change['by']}", visit.id, "elsewhere")
            report.checked_out_elsewhere += 1
    store.set_sync_value("checkout_cursor", str(int(answer.get("cursor", since))))
    return report


def _deny_for_hub(entry: dict[str, Any], key_id: str) -> dict[str, Any]:
    shared = {name: entry.get(name) for name in SHARED_FIELDS}
    return {**shared, "deny_id": entry["id"], "key_id": key_id}


def _deny_from_hub(entry: dict[str, Any]) -> dict[str, Any]:
    return {**{name: entry.get(name) for name in SHARED_FIELDS}, "id": entry["deny_id"]}


def _host_from_hub(row: dict[str, Any]) -> Host:
    return Host(
        id=str(row["id"]),
        name=str(row["name"]),
        department=str(row.get("department", "")),
        email=str(row.get("email", "")),
        notify=tuple(str(url) for url in row.get("notify", [])),
        language=str(row.get("language", "")),
        active=bool(row.get("active", True)),
        company_id=str(row.get("company_id", "")),
    )
