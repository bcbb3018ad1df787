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

import hashlib
import json
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kiosk import audit
from kiosk.badges import end_of_visit_day
from kiosk.config import Config
from kiosk.denylist import SHARED_FIELDS
from kiosk.models import Host, Visit
from kiosk.notify import next_attempt
from kiosk.store import Store
from kiosk.timeutil import from_db, to_db

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
BATCH = 50


@dataclass
class SyncReport:
    sent: int = 0
    parked: int = 0
    retrying: int = 0
    erase_requests: int = 0
    remote_checkouts: int = 0


DONE = ("stored", "duplicate", "erased", "expired")  # the hub has (or rightly refuses to keep) it


@dataclass
class ExchangeReport:
    hosts: int = 0
    deny_added: int = 0
    deny_pushed: int = 0
    deny_other_key: int = 0  # entries made under another deny key: the site's kiosks disagree
    checked_out_elsewhere: int = 0


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


class HubClient:
    """POSTs to the hub's /v1 API with the kiosk's token; raises ``HubUnavailable`` for anything
    that is worth retrying (network, timeouts, 5xx)."""

    def __init__(self, url: str, token: str, session: requests.Session | None = None) -> None:
        import requests  # on first use: it costs the kiosk's start-up about 60 ms

        self._requests = requests
        self._url = url.rstrip("/")
        self._session = session or requests.Session()
        self._session.headers["Authorization"] = f"Bearer {token}"

    def post(self, path: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        return self._call("POST", path, body, {"Idempotency-Key": key})

    def get(self, path: str) -> dict[str, Any]:
        return self._call("GET", path, None, {})

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> dict[str, Any]:
        try:
            answer = self._session.request(
                method,
                f"{self._url}{path}",
                json=body,
                headers=headers,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            )
        except self._requests.RequestException as error:
            raise HubUnavailableError(f"hub not reachable ({type(error).__name__})") from None
        if answer.status_code >= 500 or answer.status_code in (408, 429):
            raise HubUnavailableError(f"hub answered {answer.status_code}")
        if answer.status_code == 401:
            raise HubUnavailableError("hub does not know this kiosk's key (401): check [hub] token")
        if answer.status_code >= 400:
            raise HubUnavailableError(f"hub refused the request ({answer.status_code})")
        if answer.status_code == 204:
            return {}
        try:
            result: dict[str, Any] = answer.json()
        except ValueError:
            raise HubUnavailableError("hub answered something that is not JSON") from None
        return result


class HubUnavailableError(RuntimeError):
    """Worth trying again later; the message says why, without personal data."""


def sync_once(
    store: Store,
    config: Config,
    client: HubClient,
    now: datetime,
    jitter: Callable[[], float] | None = None,
    batch_size: int = BATCH,
) -> SyncReport:
    """One batch of due events and the pending erase requests."""
    report = SyncReport()
    jobs = store.pending_sync_batch(now, batch_size)
    batch, by_key = [], {}
    for job in jobs:
        visit = store.visit(job["visit_id"])
        if visit is None:  # erased meanwhile: the erase request tells the hub
            store.give_up_outbox(job["id"], now, "visit erased before it was sent")
            continue
        event = projection(visit, job["event"], config)
        batch.append(event)
        by_key[event["idempotency_key"]] = job
    if batch:
        _send(store, client, batch, by_key, now, report, jitter)
        if report.retrying:
            return report
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
    return report


def _send(
    store: Store,
    client: HubClient,
    batch: Sequence[dict[str, Any]],
    by_key: dict[str, Any],
    now: datetime,
    report: SyncReport,
    jitter: Callable[[], float] | None,
) -> None:
    try:
        answer = client.post("/v1/events", {"events": list(batch)}, _batch_key(batch))
    except HubUnavailableError as error:
        # One time for the whole batch: the queue stays in order for the next try.
        first = next(iter(by_key.values()))
        retry_at = next_attempt(now, int(first["attempts"]), jitter or random.random)
        for job in by_key.values():
            store.retry_outbox(job["id"], str(error), retry_at)
            report.retrying += 1
        return
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


def _batch_key(batch: Sequence[dict[str, Any]]) -> str:
    keys = [event["idempotency_key"] for event in batch]
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:32]


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

    hosts = [_host_from_hub(row) for row in client.get("/v1/hosts").get("hosts", [])]
    if hosts:  # a hub without a directory for this site leaves the local one alone
        store.upsert_hosts(hosts)
        report.hosts = len(hosts)

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


def hub_on_site(client: HubClient) -> list[dict[str, Any]]:
    """The site's on-site list across all its kiosks, as the hub holds it."""
    visits: list[dict[str, Any]] = client.get("/v1/onsite").get("visits", [])
    return visits


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
