"""Draining a long queue to a real hub on 127.0.0.1: batches that grow while the hub keeps up, a
lost answer asked again at once (stored once, nothing lost), a hub that is away holding only the
head of the queue back; and the one text form instants have in the database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from kiosk.config import Config
from kiosk.hub.service import HubService
from kiosk.hub_client import HubClient
from kiosk.store import Store
from kiosk.sync import MAX_BATCH, BatchSize, drain
from kiosk.timeutil import from_db, to_db
from tests.conftest import FakeClock
from tests.fault_proxy import FaultProxy
from tests.hub_server import hub_rows
from tests.queued import queue_visits


class RecordingSession(requests.Session):
    """Remembers how many events each POST carried."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.endswith("/v1/events"):
            self.batches.append(len(kwargs["json"]["events"]))
        return super().request(method, url, *args, **kwargs)


def open_sync_jobs(store: Store) -> list[dict[str, Any]]:
    return store.pending_outbox("sync")


def test_a_long_queue_leaves_in_batches_that_grow_to_the_hubs_limit(
    site: Config, store: Store, sqlite_hub: HubService
) -> None:
    queue_visits(store, site, 1_500)
    session = RecordingSession()
    report = drain(store, site, HubClient(site.hub_url, site.hub_token, session), FakeClock())
    assert (report.sent, report.retrying) == (1_500, 0)
    assert session.batches == [50, 100, 200, 400, MAX_BATCH, 250]
    assert open_sync_jobs(store) == []
    assert hub_rows(sqlite_hub, "SELECT count(*) AS n FROM visits") == [{"n": 1_500}]


def test_a_lost_answer_is_asked_again_at_once_and_nothing_is_stored_twice(
    site: Config, store: Store, sqlite_hub: HubService, proxy: FaultProxy
) -> None:
    queue_visits(store, site, 120)
    proxy.drop_first = 1  # the hub stores the first batch, the kiosk never hears it
    session = RecordingSession()
    report = drain(store, site, HubClient(site.hub_url, site.hub_token, session), FakeClock())
    assert proxy.dropped >= 1
    assert (report.sent, report.retrying) == (120, 0)
    assert session.batches[:2] == [50, 50]  # the same batch again, not the queue's backoff
    assert open_sync_jobs(store) == []
    assert hub_rows(sqlite_hub, "SELECT count(*) AS n FROM visits") == [{"n": 120}]
    assert hub_rows(sqlite_hub, "SELECT count(*) AS n FROM receipts") == [{"n": 120}]


def test_a_hub_that_is_away_holds_back_only_the_head_of_the_queue(
    site: Config, store: Store, proxy: FaultProxy
) -> None:
    queue_visits(store, site, 300)
    proxy.refuse = True
    clock = FakeClock()
    report = drain(store, site, HubClient(site.hub_url, site.hub_token), clock)
    assert (report.sent, report.retrying) == (0, 50)
    jobs = open_sync_jobs(store)
    assert [job["attempts"] for job in jobs] == [1] * 50 + [0] * 250
    assert {job["last_error"] for job in jobs[:50]} == {
        "hub not reachable (connection closed before its answer)"
    }
    assert all(from_db(job["next_attempt_at"]) > clock() for job in jobs[:50])
    proxy.refuse = False
    clock.advance(hours=1)
    assert drain(store, site, HubClient(site.hub_url, site.hub_token), clock).sent == 300
    assert open_sync_jobs(store) == []


def test_batches_halve_when_the_hub_is_slow_or_an_answer_is_lost() -> None:
    size = BatchSize()
    size.after(0.05, answer_lost=False)
    assert size.current == 100
    size.after(3.0, answer_lost=False)
    assert size.current == 50
    for _ in range(5):
        size.after(0.05, answer_lost=True)
    assert size.current == 10  # never below a fifth of the first batch
    for _ in range(10):
        size.after(0.05, answer_lost=False)
    assert size.current == MAX_BATCH


def test_many_visits_are_read_in_one_query(store: Store, config: Config) -> None:
    queue_visits(store, config, 3)
    ids = [job["visit_id"] for job in open_sync_jobs(store)]
    found = store.visits_by_id([*ids, "gone", "x') OR 1=1 --"])
    assert sorted(found) == sorted(ids)
    assert all(found[visit_id].id == visit_id for visit_id in ids)
    assert json.dumps(store.visits_by_id([])) == "{}"


def test_instants_have_one_text_form_in_the_database() -> None:
    moment = datetime(2026, 11, 25, 1, 30, 0, 120, tzinfo=UTC)
    assert to_db(moment) == "2026-11-25T01:30:00.000120Z"
    assert from_db(to_db(moment)) == moment
    assert to_db(datetime(33, 1, 1, tzinfo=UTC)) == "0033-01-01T00:00:00.000000Z"  # sorts right
    for other in (
        "2026-11-25T01:30:00Z",
        "2026-11-25 01:30:00.000000Z",
        "2026-11-25T01:30:00.000000+00:00",
        "2026-11-25T01:30:00.0000000",
    ):
        with pytest.raises(ValueError, match="not a stored instant"):
            from_db(other)
