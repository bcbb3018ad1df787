"""The hub's purge beside the kiosks' batches (issue #17): the connection pool they share (the
purge's connection goes back to it as it came, its chunk settings undone, so a kiosk's batch
never has to open one), and, on PostgreSQL, its pages written out as it goes while kiosks send."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from kiosk.hub import purging
from kiosk.hub.service import HubService
from kiosk.timeutil import to_db
from tests.conftest import FakeClock
from tests.hub_server import grow_hub, hub_service
from tests.postgres import fresh_database
from tests.test_hub import checkin

CHUNK_SETTINGS = {"postgresql": ("enable_sort", "enable_seqscan", "jit", "synchronous_commit",
                                 "backend_flush_after"),
                  "sqlite": ("wal_autocheckpoint",)}  # fmt: skip
FLUSH_AFTER = "SELECT current_setting('backend_flush_after')"


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
                value = raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
                found.append({"wal_autocheckpoint": str(value)})
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
    assert before in ({"wal_autocheckpoint": "1000"}, {**before, "enable_sort": "on"})
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


def _flush_after_of_each_chunk(
    hub: HubService, clock: FakeClock, on_chunk: Callable[[], object] = lambda: None
) -> tuple[list[str], str]:
    """``backend_flush_after`` as each chunk of the visits' purge ran (``on_chunk`` called as
    each begins its delete), and on the pooled connection once the purge is over."""
    during: list[str] = []

    def statement(_c: object, cursor: Any, sql: str, *_rest: object) -> None:
        if "DELETE FROM visits" in sql:
            during.append(cursor.connection.execute(FLUSH_AFTER).fetchone()[0])
            on_chunk()

    sa.event.listen(hub._engine, "before_cursor_execute", statement)
    counts = hub.purge(clock())
    sa.event.remove(hub._engine, "before_cursor_execute", statement)
    with hub._engine.connect() as db:
        afterwards = db.exec_driver_sql(FLUSH_AFTER).scalar()
    assert counts["visits"] == VISITS_FOR_CHUNKS
    return during, afterwards


VISITS_FOR_CHUNKS = 500


@pytest.fixture
def pg_hub(postgres: str, clock: FakeClock, request: pytest.FixtureRequest) -> Iterator[HubService]:
    """A PostgreSQL hub holding VISITS_FOR_CHUNKS expired visits."""
    hub = hub_service(fresh_database(postgres, f"hub_flush_{request.node.name[-12:]}"), clock)
    grow_hub(hub, VISITS_FOR_CHUNKS, to_db(clock() - timedelta(days=1)))
    yield hub
    hub.close()


def test_on_postgresql_the_chunks_write_their_pages_out_while_kiosks_send(
    pg_hub: HubService, clock: FakeClock
) -> None:
    """Left to the kernel, the pages a purge of 1,000,000 visits wrote were written out all at
    once 30 s later, and a kiosk's batch then waited 50-64 ms on its commit's sync: while kiosks
    are sending, each chunk runs with ``backend_flush_after``, the connection's own setting
    given back after."""
    kiosk = pg_hub.authenticate(pg_hub.add_kiosk("lobby-a", "taipei"))
    assert kiosk is not None
    pg_hub.ingest(kiosk, [checkin("v-just-now", clock)])  # a kiosk is sending
    during, afterwards = _flush_after_of_each_chunk(pg_hub, clock)
    assert during and set(during) == {"256kB"}, during
    assert afterwards == "0"  # the server's default on Linux


def test_on_postgresql_a_purge_alone_leaves_its_pages_to_the_kernel(
    pg_hub: HubService, clock: FakeClock
) -> None:
    """With no kiosk sending there is no commit for a burst of writes to hold, and handing the
    disk each 256 kB at once sometimes held the chunk itself (one took 171 ms): alone, it is
    off."""
    during, afterwards = _flush_after_of_each_chunk(pg_hub, clock)
    assert during and set(during) == {"0"}, during
    assert afterwards == "0"


def test_on_postgresql_the_chunks_write_out_from_the_moment_a_kiosk_sends(
    pg_hub: HubService, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kiosk that starts sending in the middle of a purge: the chunks after its batch write
    their pages out as they go."""
    monkeypatch.setattr(purging, "PURGE_CHUNK", 100)
    monkeypatch.setattr(purging, "next_chunk_size", lambda *_args: 100)
    kiosk = pg_hub.authenticate(pg_hub.add_kiosk("lobby-a", "taipei"))
    assert kiosk is not None
    chunks = itertools.count(1)

    def a_batch_at_the_second_chunk() -> None:
        if next(chunks) == 2:
            pg_hub.ingest(kiosk, [checkin("v-mid-purge", clock)])

    during, afterwards = _flush_after_of_each_chunk(pg_hub, clock, a_batch_at_the_second_chunk)
    assert during[:2] == ["0", "0"] and set(during[2:]) == {"256kB"}, during
    assert afterwards == "0"
