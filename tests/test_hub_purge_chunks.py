"""A PostgreSQL hub's purge chunk: found by the deadline's index from where the last one ended,
never compiled, committed without waiting for the disk until the purge's end, and made on one
connection whose settings never reach the pool."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from kiosk.give_way import GiveWay
from kiosk.hub import purging
from kiosk.hub import schema as hub_schema
from kiosk.hub.purging import chunk_delete, chunk_settings, delete_chunk
from kiosk.hub.service import HubService
from kiosk.timeutil import to_db
from tests.conftest import FakeClock
from tests.hub_server import grow_hub, hub_service
from tests.postgres import fresh_database


@contextmanager
def _as_the_purge_connects(hub: HubService) -> Iterator[sa.Connection]:
    """A connection of the hub's set up as the purge sets up its own: its chunks' settings made
    for the session. What runs on it after is rolled back."""
    with hub._engine.connect() as db, chunk_settings(db):
        try:
            yield db
        finally:
            db.rollback()  # before the settings are undone, which commits


@pytest.mark.parametrize("table", ["visits", "receipts"])
@pytest.mark.parametrize(("analyzed", "size"), [(True, 500), (False, 16_000)])
def test_a_postgresql_purge_chunk_walks_the_deadline_index(
    postgres: str, clock: FakeClock, table: str, analyzed: bool, size: int
) -> None:
    """With every row due, PostgreSQL picked a chunk by a sequential scan; the last chunk (fewer
    rows left than its size) then went on round the whole table, pruning every page. Without
    statistics (a table just filled) it sorted the due rows of the whole table for a big chunk.
    One 70-190 ms transaction per table in a purge of 1,000,000 visits; walking the deadline's
    index, every chunk stops where its rows end (5-10 ms)."""
    hub = hub_service(fresh_database(postgres, "hub_purge_plan"), clock)
    past = to_db(clock() - timedelta(days=1))
    rows = {
        "visits": [
            {"site": "taipei", "visit_id": f"v{n}", "kiosk_id": "lobby-a", "checked_in_at": past,
             "purge_after": past}
            for n in range(20_000)
        ],
        "receipts": [
            {"kiosk_id": "lobby-a", "idempotency_key": f"v{n}:checkin", "visit_id": f"v{n}",
             "body_hash": "0" * 64, "answer": "{}", "purge_after": past}
            for n in range(20_000)
        ],
    }  # fmt: skip
    schema_table = hub_schema.metadata.tables[table]
    with hub._engine.begin() as db:
        db.execute(schema_table.insert(), rows[table])
        if analyzed:
            db.exec_driver_sql(f"ANALYZE {table}")
    with _as_the_purge_connects(hub) as db:
        statement = chunk_delete("postgresql", schema_table, schema_table.c.purge_after)
        plan = db.execute(
            sa.text(f"EXPLAIN {statement.text}"),
            {"moment": to_db(clock()), "size": size, "since": ""},
        ).scalars()
        described = "\n".join(plan)
    hub.close()
    # The chunk's last deadline by the index, then its rows by the same index (each row once;
    # picked by ctid, each row was fetched twice: once to pick it, once by a Tid Scan).
    walks = re.findall(
        rf"(?:Index Only Scan|Index Scan|Bitmap Index Scan) \S+ {table}_purge", described
    )
    assert len(walks) == 2, described
    assert "Seq Scan" not in described and "Sort" not in described, described
    assert "Tid Scan" not in described, described


def test_a_postgresql_chunk_does_not_walk_the_index_entries_of_the_chunks_before_it(
    postgres: str, clock: FakeClock
) -> None:
    """A deleted row's index entry stays until the vacuum after the purge; each chunk walking
    the deadline's index from its start read all those of the chunks before it, and with a
    deadline of its own for each visit 1,000,000 were purged at 32-47k a second (chunks shrank
    to 50 rows). A chunk starts at the latest deadline the last one deleted."""
    hub = hub_service(fresh_database(postgres, "hub_purge_since"), clock)
    grow_hub(hub, 20_000, to_db(clock() - timedelta(days=1)))  # 20,000 deadlines, a month apart
    statement = chunk_delete("postgresql", hub_schema.visits, hub_schema.visits.c.purge_after)
    moment, since = to_db(clock()), ""
    for _ in range(9):
        with hub._engine.begin() as db:
            _deleted, since = delete_chunk(db, statement, moment, 2_000, since)

    def blocks_read_by_the_next_chunk(starting_at: str) -> int:
        with _as_the_purge_connects(hub) as db:  # rolled back: the chunk is only looked at
            plan = db.execute(
                sa.text(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {statement.text}"),
                {"moment": moment, "size": 10, "since": starting_at},
            ).scalar_one()
        used = plan[0]["Plan"]
        return int(used["Shared Hit Blocks"] + used["Shared Read Blocks"])

    from_the_last = blocks_read_by_the_next_chunk(since)
    from_the_start = blocks_read_by_the_next_chunk("")
    with hub._engine.connect() as db:
        left = db.exec_driver_sql("SELECT count(*), min(purge_after) FROM visits").one()
    hub.close()
    assert left[0] == 2_000 and left[1] >= since  # nothing due was stepped over
    assert from_the_last * 5 < from_the_start, (from_the_last, from_the_start)  # 33 and 616 seen


def test_rows_that_share_a_deadline_go_in_one_chunk_and_none_is_left(
    postgres: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk is every due row up to the deadline of its ``size``-th: three deadlines shared by
    700 rows each, in chunks of 200, go one deadline a chunk, and the purge stops only when
    none is left (a chunk that stopped short of a shared deadline would delete nothing)."""
    monkeypatch.setattr("kiosk.hub.purging.PURGE_CHUNK", 200)
    monkeypatch.setattr("kiosk.hub.purging.PURGE_TRANSACTION", {"postgresql": 1e-9})
    hub = hub_service(fresh_database(postgres, "hub_purge_shared_deadlines"), clock)
    days = [to_db(clock() - timedelta(days=d)) for d in (3, 2, 1)]
    rows = [
        {"site": "taipei", "visit_id": f"v{d}-{n}", "kiosk_id": "lobby-a", "checked_in_at": due,
         "purge_after": due}
        for d, due in enumerate(days)
        for n in range(700)
    ]  # fmt: skip
    kept = {"site": "taipei", "visit_id": "later", "kiosk_id": "lobby-a",
            "checked_in_at": days[-1], "purge_after": to_db(clock() + timedelta(days=1))}  # fmt: skip
    with hub._engine.begin() as db:
        db.execute(hub_schema.visits.insert(), [*rows, kept])
    chunks: list[int] = []

    def answered(_c: object, cursor: Any, sql: str, *_rest: object) -> None:
        if "DELETE FROM visits" in sql:
            chunks.append(cursor.rowcount)

    sa.event.listen(hub._engine, "after_cursor_execute", answered)
    visits = hub_schema.visits
    deleted = purging.purge_due_rows(
        hub._engine, GiveWay(), visits, visits.c.purge_after, to_db(clock())
    )
    with hub._engine.connect() as db:
        left = db.exec_driver_sql("SELECT visit_id FROM visits").scalars().all()
    hub.close()
    assert deleted == 2_100 and left == ["later"]
    assert len(chunks) == 4  # a deadline a chunk, then the one that finds none


def test_each_postgresql_chunk_starts_where_the_last_one_ended(
    postgres: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The purge hands each chunk the latest deadline the chunk before it deleted."""
    monkeypatch.setattr("kiosk.hub.purging.PURGE_CHUNK", 200)
    monkeypatch.setattr("kiosk.hub.purging.PURGE_TRANSACTION", {"postgresql": 1e-9})  # 20 rows
    hub = hub_service(fresh_database(postgres, "hub_purge_since_passed"), clock)
    grow_hub(hub, 2_000, to_db(clock() - timedelta(days=1)))
    starts: list[str] = []

    def statement(_c: object, _cur: object, sql: str, parameters: Any, *_rest: object) -> None:
        if "DELETE FROM visits" in sql:
            starts.append(parameters["since"])

    sa.event.listen(hub._engine, "before_cursor_execute", statement)
    assert hub.purge(clock())["visits"] == 2_000
    hub.close()
    assert starts[0] == "" and len(starts) > 50
    assert starts == sorted(set(starts))  # always on from the last: no chunk starts over


def test_a_postgresql_purge_chunk_is_not_compiled(postgres: str, clock: FakeClock) -> None:
    """Sorting priced out of reach made a chunk of a table with no deadline index (tombstones)
    look costly enough for PostgreSQL to compile it: 15 ms of JIT for an empty table."""
    hub = hub_service(fresh_database(postgres, "hub_purge_jit"), clock)
    table = hub_schema.tombstones
    with _as_the_purge_connects(hub) as db:
        statement = chunk_delete("postgresql", table, table.c.until)
        plan = db.execute(
            sa.text(f"EXPLAIN (ANALYZE) {statement.text}"),
            {"moment": to_db(clock()), "size": 500, "since": ""},
        ).scalars()
        described = "\n".join(plan)
    hub.close()
    assert "JIT" not in described, described


def test_a_postgresql_purge_returns_with_all_it_deleted_on_disk(
    postgres: str, clock: FakeClock
) -> None:
    """Its chunks commit without waiting for the disk (a fifth faster beside a kiosk's batches);
    the purge waits once, at its end, so what it reports deleted stays deleted through a crash
    of the server."""
    name = "hub_purge_durable"
    url = fresh_database(postgres, name)
    with psycopg.connect(postgres, autocommit=True) as admin:  # the tests' server commits lazily
        admin.execute(f"ALTER DATABASE {name} SET synchronous_commit = on")
    hub = hub_service(url, clock)
    grow_hub(hub, 2_000, to_db(clock() - timedelta(days=1)))
    monitor = psycopg.connect(postgres, autocommit=True)
    commits_waiting: list[str] = []
    chunks_ended_at: list[str] = []  # where the WAL stood as each chunk's transaction ended
    in_chunk = threading.local()

    def statement(_c: object, cursor: Any, sql: str, *_rest: object) -> None:
        if "DELETE FROM visits" in sql:
            commits_waiting.append(
                cursor.connection.execute("SHOW synchronous_commit").fetchone()[0]
            )
            in_chunk.now = True

    dialect = hub._engine.dialect
    commit = dialect.do_commit

    def committed(dbapi_connection: Any) -> None:
        """Where the WAL stands just after a chunk's commit: past its commit record, and before
        the purge's last commit (the one that waits), which the WAL then holds after it.
        Taken later (when the last commit's connection went back to the pool), it also counted
        WAL that the server's background work wrote after that commit, not yet flushed."""
        commit(dbapi_connection)
        if getattr(in_chunk, "now", False):
            lsn = monitor.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
            chunks_ended_at.append(lsn[0])
            in_chunk.now = False

    sa.event.listen(hub._engine, "after_cursor_execute", statement)
    dialect.do_commit = committed  # type: ignore[method-assign]
    visits = hub_schema.visits
    deleted = purging.purge_due_rows(
        hub._engine, GiveWay(), visits, visits.c.purge_after, to_db(clock())
    )
    on_disk = monitor.execute(
        "SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn", (chunks_ended_at[-1],)
    ).fetchone()
    monitor.close()
    hub.close()
    assert deleted == 2_000 and len(commits_waiting) > 2
    assert set(commits_waiting) == {"off"}, commits_waiting
    assert on_disk == (True,)


def test_a_postgresql_purge_chunks_on_one_connection_that_never_goes_back_to_the_pool(
    postgres: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Taken from the pool for each chunk, a chunk paid the pool's ping and its settings again
    (two round trips of its 3 ms). The purge now keeps one connection for a table's chunks,
    with its settings (no sorting, no JIT, commits that do not wait for the disk) made once;
    that connection is closed after, so no kiosk's batch ever commits with them."""
    monkeypatch.setattr("kiosk.hub.purging.PURGE_CHUNK", 200)
    monkeypatch.setattr("kiosk.hub.purging.PURGE_TRANSACTION", {"postgresql": 1e-9})  # 20 rows
    hub = hub_service(fresh_database(postgres, "hub_purge_one_connection"), clock)
    grow_hub(hub, 2_000, to_db(clock() - timedelta(days=1)))
    checkouts, chunks = [0], [0]

    def checked_out(*_args: object) -> None:
        checkouts[0] += 1

    def statement(_c: object, _cur: object, sql: str, *_rest: object) -> None:
        chunks[0] += "DELETE FROM visits" in sql

    sa.event.listen(hub._engine.pool, "checkout", checked_out)
    sa.event.listen(hub._engine, "before_cursor_execute", statement)
    visits = hub_schema.visits
    deleted = purging.purge_due_rows(
        hub._engine, GiveWay(), visits, visits.c.purge_after, to_db(clock())
    )
    taken = checkouts[0]
    pooled = [hub._engine.connect() for _ in range(10)]  # more than the pool keeps idle
    settings = {db.exec_driver_sql("SHOW enable_sort").scalar_one() for db in pooled}
    settings |= {db.exec_driver_sql("SHOW jit").scalar_one() for db in pooled}
    for db in pooled:
        db.close()
    hub.close()
    assert deleted == 2_000 and chunks[0] > 50
    assert taken <= 2  # the chunks' connection, and the commit that waits for the disk
    assert settings == {"on"}
