"""The hub's purge beside the kiosks' batches (issue #17): the connection pool they share (the
purge's connection goes back to it as it came, its chunk settings undone, so a kiosk's batch
never has to open one), and the settings that follow the kiosks: while they are sending, the
chunks' commits wait for the disk (SQLite) and their pages are written out as they go
(PostgreSQL)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from kiosk.hub import purging
from kiosk.hub.service import HubService
from kiosk.timeutil import to_db
from tests.conftest import FakeClock
from tests.hub_server import grow_hub
from tests.test_hub import checkin

CHUNK_SETTINGS = {"postgresql": ("enable_sort", "enable_seqscan", "jit", "synchronous_commit",
                                 "backend_flush_after"),
                  "sqlite": ("wal_autocheckpoint", "synchronous")}  # fmt: skip
# The setting that follows the kiosks, how to read it, and its value while they send, alone, and
# on the connection after the purge.
FOLLOWING = {
    "postgresql": ("SELECT current_setting('backend_flush_after')", "256kB", "0", "0"),
    "sqlite": ("PRAGMA synchronous", "2", "1", "2"),  # FULL, NORMAL
}


def _settings_in_the_pool(hub: HubService) -> list[dict[str, str]]:
    """The chunk settings of every connection the pool holds, each checked out at once."""
    engine = hub._engine
    dialect = engine.dialect.name
    held = [engine.connect() for _ in range(engine.pool.checkedin())]  # type: ignore[attr-defined]
    try:
        found = []
        for db in held:
            raw: Any = db.connection.dbapi_connection
            if dialect == "sqlite":
                found.append({
                    name: str(raw.execute(f"PRAGMA {name}").fetchone()[0])
                    for name in CHUNK_SETTINGS[dialect]
                })  # fmt: skip
            else:
                cursor = raw.cursor()
                found.append({
                    name: cursor.execute(f"SELECT current_setting('{name}')").fetchone()[0]
                    for name in CHUNK_SETTINGS[dialect]
                })  # fmt: skip
                raw.rollback()
        return found
    finally:
        for db in held:
            db.close()


def _connections_opened_and_closed(hub: HubService, call: Any) -> tuple[int, int]:
    counts = {"opened": 0, "closed": 0}

    def opened(*_args: object) -> None:
        counts["opened"] += 1

    def closed(*_args: object) -> None:
        counts["closed"] += 1

    events = [("connect", opened), ("close", closed), ("close_detached", closed)]
    for name, listener in events:
        sa.event.listen(hub._engine, name, listener)
    try:
        call()
    finally:
        for name, listener in events:
            sa.event.remove(hub._engine, name, listener)
    return counts["opened"], counts["closed"]


def test_a_purge_gives_its_connection_back_to_the_pool_as_it_came(
    hub_on_db: HubService, clock: FakeClock
) -> None:
    """Each table's purge took a connection from the pool and closed it after (its settings
    were its own): eight tables, eight connections gone, and a kiosk's batch during the purge
    opened a new one (a new PostgreSQL backend, 5-15 ms of its answer)."""
    hub = hub_on_db
    kiosk = hub.authenticate(hub.add_kiosk("lobby-a", "taipei"))
    assert kiosk is not None
    grow_hub(hub, 500, to_db(clock() - timedelta(days=1)))
    hub.ingest(kiosk, [checkin("v-before", clock)])  # the pool holds a warm connection
    (before,) = _settings_in_the_pool(hub)
    assert before in (
        {"wal_autocheckpoint": "1000", "synchronous": "2"},
        {**before, "enable_sort": "on"},
    )
    _opened, closed = _connections_opened_and_closed(hub, lambda: hub.purge(clock()))
    assert closed == 0
    opened, closed = _connections_opened_and_closed(
        hub, lambda: hub.ingest(kiosk, [checkin("v-after", clock)])
    )
    assert (opened, closed) == (0, 0)
    pooled = _settings_in_the_pool(hub)
    assert pooled and all(found == before for found in pooled), pooled


def test_a_purge_that_fails_closes_its_connection_rather_than_pool_its_settings(
    hub_on_db: HubService, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk that fails (the server went away, a disk full) leaves the settings in force on
    its connection: that one is closed, never handed to a kiosk's batch."""
    hub = hub_on_db
    grow_hub(hub, 50, to_db(clock() - timedelta(days=1)))
    (before,) = _settings_in_the_pool(hub)

    def failing_chunk(*_args: object) -> tuple[int, str]:
        raise sa.exc.OperationalError("DELETE", {}, Exception("server closed the connection"))

    monkeypatch.setattr(purging, "delete_chunk", failing_chunk)
    with pytest.raises(sa.exc.OperationalError):
        hub.purge(clock())
    pooled = _settings_in_the_pool(hub)
    assert all(found == before for found in pooled), pooled


def _following_at_each_chunk(
    hub: HubService, clock: FakeClock, on_chunk: Callable[[], object] = lambda: None
) -> tuple[list[str], str]:
    """The setting that follows the kiosks (FOLLOWING) as each chunk of the visits' purge ran
    (``on_chunk`` called as each begins its delete), and on the pooled connection after."""
    query = FOLLOWING[hub._engine.dialect.name][0]
    during: list[str] = []

    def statement(_c: object, cursor: Any, sql: str, *_rest: object) -> None:
        if "DELETE FROM visits" in sql:
            during.append(str(cursor.connection.execute(query).fetchone()[0]))
            on_chunk()

    sa.event.listen(hub._engine, "before_cursor_execute", statement)
    counts = hub.purge(clock())
    sa.event.remove(hub._engine, "before_cursor_execute", statement)
    with hub._engine.connect() as db:
        raw: Any = db.connection.dbapi_connection
        cursor = raw.cursor()
        afterwards = str(cursor.execute(query).fetchone()[0])
        raw.rollback()
    assert counts["visits"] == VISITS_FOR_CHUNKS
    return during, afterwards


VISITS_FOR_CHUNKS = 500


@pytest.fixture
def aged_hub(hub_on_db: HubService, clock: FakeClock) -> HubService:
    """A hub holding VISITS_FOR_CHUNKS expired visits (each test on SQLite and PostgreSQL)."""
    grow_hub(hub_on_db, VISITS_FOR_CHUNKS, to_db(clock() - timedelta(days=1)))
    return hub_on_db


def test_while_kiosks_send_the_chunks_wait_for_the_disk_and_write_out_as_they_go(
    aged_hub: HubService, clock: FakeClock
) -> None:
    """PostgreSQL: left to the kernel, the pages a purge of 1,000,000 visits wrote were written
    out all at once 30 s later, and a kiosk's batch then waited 50-64 ms on its commit's sync;
    while kiosks are sending, each chunk runs with ``backend_flush_after``. SQLite: while they
    are sending, each chunk's commit waits for the disk, as a batch's would otherwise flush the
    purge's pages. The connection's own settings are given back after."""
    kiosk = aged_hub.authenticate(aged_hub.add_kiosk("lobby-a", "taipei"))
    assert kiosk is not None
    aged_hub.ingest(kiosk, [checkin("v-just-now", clock)])  # a kiosk is sending
    _query, sending, _alone, after = FOLLOWING[aged_hub._engine.dialect.name]
    during, afterwards = _following_at_each_chunk(aged_hub, clock)
    assert during and set(during) == {sending}, during
    assert afterwards == after


def test_a_purge_alone_neither_waits_for_the_disk_nor_hands_it_its_pages(
    aged_hub: HubService, clock: FakeClock
) -> None:
    """With no kiosk sending there is no commit for a burst of writes to hold, and handing the
    disk each 256 kB at once sometimes held the chunk itself (one took 171 ms, PostgreSQL); nor
    is there a batch that needs the purge's chunk on disk at once, and a commit that waited for
    it took 12-17 ms of the goal's 20 (SQLite): both off."""
    _query, _sending, alone, after = FOLLOWING[aged_hub._engine.dialect.name]
    during, afterwards = _following_at_each_chunk(aged_hub, clock)
    assert during and set(during) == {alone}, during
    assert afterwards == after


def test_the_chunks_follow_a_kiosk_that_starts_sending_mid_purge(
    aged_hub: HubService, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kiosk that starts sending in the middle of a purge: the chunks after its batch run as
    beside kiosks. The batch is what ``HubService.ingest`` tells the purge (its time in flight):
    on SQLite a real one would wait for the chunk under way, which this runs inside."""
    monkeypatch.setattr(purging, "PURGE_CHUNK", 100)
    monkeypatch.setattr(purging, "next_chunk_size", lambda *_args: 100)
    chunks = itertools.count(1)

    def a_batch_at_the_second_chunk() -> None:
        if next(chunks) == 2:
            with aged_hub._give_way.foreground():
                pass

    _query, sending, alone, after = FOLLOWING[aged_hub._engine.dialect.name]
    during, afterwards = _following_at_each_chunk(aged_hub, clock, a_batch_at_the_second_chunk)
    assert during[:2] == [alone, alone] and set(during[2:]) == {sending}, during
    assert afterwards == after
