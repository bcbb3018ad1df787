"""When the purge's commits wait for the disk (#17): while guests are checking in, each of its
delete transactions is committed durably like a check-in, so a guest's commit never has to
flush the purge's pages; with no guest about, they are not, so a slow moment of the disk never
holds the store, and the checkpoint that follows syncs them. A person's erasure request is
always durable."""

from __future__ import annotations

from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.give_way import GiveWay
from kiosk.retention import purge
from kiosk.store import Store
from tests.conftest import FakeClock, make_form

FULL, NORMAL = 2, 1  # PRAGMA synchronous


def _statements_of_a_purge(
    store: Store, config: Config, clock: FakeClock, guest_just_came: bool
) -> list[str]:
    """Every statement the store's own connection ran during a purge of three expired visits."""
    service = CheckinService(store, config, clock)
    notice = service.current_notice("en")
    for number in range(3):
        service.check_in(make_form(name=f"Old {number}", email=f"o{number}@example.com"), notice)
    clock.advance(days=config.retention_days, seconds=1)
    store.give_way = GiveWay()  # those check-ins were a month ago, not a moment
    if guest_just_came:
        with store.give_way.foreground():
            pass  # a check-in that ended a moment ago
    ran: list[str] = []
    store._db.conn.set_trace_callback(ran.append)
    try:
        assert purge(store, config.spool_dir, clock(), config.retention_days).visits_erased == 3
    finally:
        store._db.conn.set_trace_callback(None)
    return ran


def _synchronous_at_each_visit_delete(ran: list[str]) -> list[str]:
    setting, found = "FULL", []
    for statement in ran:
        if statement.startswith("PRAGMA synchronous="):
            setting = statement.removeprefix("PRAGMA synchronous=")
        elif statement.startswith("DELETE FROM visits"):
            found.append(setting)
    return found


def test_alone_the_purges_commits_do_not_wait_for_the_disk(
    store: Store, config: Config, clock: FakeClock
) -> None:
    ran = _statements_of_a_purge(store, config, clock, guest_just_came=False)
    assert _synchronous_at_each_visit_delete(ran) == ["NORMAL", "NORMAL"]  # erased, none left
    assert store.pragma("synchronous") == FULL  # a guest's check-in after it is durable again


def test_beside_a_guest_the_purges_commits_are_durable(
    store: Store, config: Config, clock: FakeClock
) -> None:
    ran = _statements_of_a_purge(store, config, clock, guest_just_came=True)
    assert _synchronous_at_each_visit_delete(ran) == ["FULL", "FULL"]
    assert "PRAGMA synchronous=NORMAL" not in ran
    assert store.pragma("synchronous") == FULL


def test_an_erasure_request_is_always_durable(
    store: Store, config: Config, clock: FakeClock
) -> None:
    service = CheckinService(store, config, clock)
    visit = service.check_in(make_form(), service.current_notice("en")).visit
    ran: list[str] = []
    store._db.conn.set_trace_callback(ran.append)
    try:
        assert store.erase_visits([visit.id]) == 1
    finally:
        store._db.conn.set_trace_callback(None)
    assert not [statement for statement in ran if statement.startswith("PRAGMA synchronous")]
    assert store.pragma("synchronous") == FULL
