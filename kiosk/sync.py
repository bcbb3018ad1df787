"""Send check-ins, check-outs and erase requests to the hub, in minimal form, exactly once.

Each record leaves as the projection the site chose (``[hub] fields``; by default no name and no
email), with an idempotency key (visit id + event), in batches over HTTPS (plain HTTP only to this
machine), behind the kiosk's bearer token. The outbox keeps order and survives restarts; a
record the hub stores or already had is done, a record it rejects is parked with the hub's reason
so the rest of the queue keeps moving, and anything else is retried with growing, jittered
delays. The hub side (the reference hub, the directory and deny-list pulls) is issue #4's.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kiosk.config import Config
from kiosk.models import Visit
from kiosk.notify import next_attempt
from kiosk.store import Store
from kiosk.timeutil import to_db

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
        try:
            answer = self._session.post(
                f"{self._url}{path}",
                json=body,
                headers={"Idempotency-Key": key},
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            )
        except self._requests.RequestException as error:
            raise HubUnavailableError(f"hub not reachable ({type(error).__name__})") from None
        if answer.status_code >= 500 or answer.status_code in (408, 429):
            raise HubUnavailableError(f"hub answered {answer.status_code}")
        if answer.status_code >= 400:
            raise HubUnavailableError(f"hub refused the batch ({answer.status_code})")
        result: dict[str, Any] = answer.json()
        return result


class HubUnavailableError(RuntimeError):
    """Worth trying again later; the message says why, without personal data."""


def sync_once(
    store: Store,
    config: Config,
    client: HubClient,
    now: datetime,
    jitter: Callable[[], float] | None = None,
) -> SyncReport:
    """One batch of due events and the pending erase requests."""
    report = SyncReport()
    jobs = store.due_outbox("sync", now)[:BATCH]
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
    for request in store.erase_requests(unsent_only=True):
        body = {"receipt": request["receipt"], "visit_ids": request["visit_ids"]}
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
    keys = [event["idempotency_key"] for event in batch]
    batch_key = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:32]
    try:
        answer = client.post("/v1/events", {"events": list(batch)}, batch_key)
    except HubUnavailableError as error:
        for job in by_key.values():
            retry_at = next_attempt(now, int(job["attempts"]), jitter or random.random)
            store.retry_outbox(job["id"], str(error), retry_at)
            report.retrying += 1
        return
    for result in answer.get("results", []):
        job = by_key.get(result.get("idempotency_key", ""))
        if job is None:
            continue
        if result.get("status") in ("stored", "duplicate"):
            store.finish_outbox(job["id"], now)
            report.sent += 1
        else:
            store.give_up_outbox(
                job["id"], now, f"parked: {str(result.get('reason', 'rejected'))[:200]}"
            )
            report.parked += 1
