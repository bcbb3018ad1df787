"""The hub's retention purge: chunk by chunk, each found by its deadline, and out of the way
of the kiosks' batches (issue #17: "the same on the hub")."""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from kiosk.give_way import GiveWay
from kiosk.hub import purging
from kiosk.hub import schema as hub_schema
from kiosk.hub.purging import chunk_delete, delete_chunk, walk_the_deadline_index
from kiosk.hub.service import HubService
from kiosk.timeutil import to_db
from tests.conftest import FakeClock
from tests.hub_server import grow_hub, hub_rows, hub_service
from tests.postgres import fresh_database
from tests.test_hub import checkin


def test_the_purge_goes_chunk_by_chunk_and_keeps_what_is_not_due(
    hub_on_db: HubService, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows are picked by their own address (rowid, ctid) and their deadline, a chunk per
    transaction; on both databases every due row goes and nothing else."""
    monkeypatch.setattr("kiosk.hub.purging.PURGE_CHUNK", 100)
    past, future = to_db(clock() - timedelta(days=1)), to_db(clock() + timedelta(days=1))
    visits = [
        {"site": "taipei", "visit_id": f"v{n}", "kiosk_id": "lobby-a", "checked_in_at": past,
         "purge_after": past if n < 1200 else future}
        for n in range(1203)
    ]  # fmt: skip
    receipts = [
        {"kiosk_id": "lobby-a", "idempotency_key": f"v{n}:checkin", "visit_id": f"v{n}",
         "body_hash": "0" * 64, "answer": "{}", "purge_after": v["purge_after"]}
        for n, v in enumerate(visits)
    ]  # fmt: skip
    with hub_on_db._engine.begin() as db:
        db.execute(hub_schema.visits.insert(), visits)
        db.execute(hub_schema.receipts.insert(), receipts)
    counts = hub_on_db.purge(clock())
    assert (counts["visits"], counts["receipts"]) == (1200, 1200)
    left = hub_rows(hub_on_db, "SELECT visit_id FROM visits ORDER BY visit_id")
    assert [r["visit_id"] for r in left] == ["v1200", "v1201", "v1202"]
    assert len(hub_rows(hub_on_db, "SELECT * FROM receipts")) == 3
    with hub_on_db._engine.connect() as db:
        indexes = {i["name"] for i in sa.inspect(db).get_indexes("receipts")}
    assert "receipts_purge" in indexes  # found by deadline, not by a scan (hub migration 5)


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
    with hub._engine.begin() as db:
        walk_the_deadline_index(db)
        statement = chunk_delete("postgresql", schema_table, schema_table.c.purge_after)
        plan = db.execute(
            sa.text(f"EXPLAIN {statement.text}"),
            {"moment": to_db(clock()), "size": size, "since": ""},
        ).scalars()
        described = "\n".join(plan)
    hub.close()
    assert f"Index Scan using {table}_purge on {table}" in described, described
    assert "Seq Scan" not in described, described


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
        with hub._engine.connect() as db:  # rolled back: the chunk is only looked at
            walk_the_deadline_index(db)
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
    with hub._engine.begin() as db:
        walk_the_deadline_index(db)
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
    chunk_settings: list[str] = []
    chunks_ended_at: list[str] = []  # where the WAL stood as each chunk's transaction ended
    in_chunk = threading.local()

    def statement(_c: object, cursor: Any, sql: str, *_rest: object) -> None:
        if "DELETE FROM visits" in sql:
            chunk_settings.append(
                cursor.connection.execute("SHOW synchronous_commit").fetchone()[0]
            )
            in_chunk.now = True

    def returned(_dbapi: object, _record: object) -> None:
        if getattr(in_chunk, "now", False):
            lsn = monitor.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
            chunks_ended_at.append(lsn[0])
            in_chunk.now = False

    sa.event.listen(hub._engine, "after_cursor_execute", statement)
    sa.event.listen(hub._engine.pool, "checkin", returned)
    visits = hub_schema.visits
    deleted = purging.purge_due_rows(
        hub._engine, GiveWay(), visits, visits.c.purge_after, to_db(clock())
    )
    on_disk = monitor.execute(
        "SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn", (chunks_ended_at[-1],)
    ).fetchone()
    monitor.close()
    hub.close()
    assert deleted == 2_000 and len(chunk_settings) > 2
    assert set(chunk_settings) == {"off"}, chunk_settings
    assert on_disk == (True,)


def test_on_sqlite_a_kiosk_batch_waits_for_one_purge_chunk_not_the_whole_purge(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite lets one transaction write at a time, and one that finds the lock taken polls for
    it (1, 2, 5 ... 100 ms apart): a purge committing chunk after chunk kept a kiosk's batch out
    for the whole purge (1.7 s beside 1,000,000 visits). Turns now go in the order asked for, so
    each batch goes in right after the chunk that was running when it arrived."""
    monkeypatch.setattr("kiosk.hub.purging.PURGE_CHUNK", 20)
    monkeypatch.setattr("kiosk.hub.purging.PURGE_TRANSACTION", {"sqlite": 1e-9})  # 2-row chunks
    hub = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    grow_hub(hub, 1_000, to_db(clock() - timedelta(days=1)))
    log = _batches_beside_a_purge(hub, clock, batches=10)
    # The chunk that held the turn when the batch came, and (rarely) those that took their turn
    # in the moment before the batch asked for its own: 0 to 2 seen; without turns, 20 to 482.
    assert max(_chunks_between(log, "asks", "writes")) <= 3, log
    assert _chunks_after_the_last_batch(log) > 10  # and the purge was still going


def _steady(*_sizes: float) -> int:
    return 1_000


def _shrinking(calls: list[int]) -> Any:
    def size(*_sizes: float) -> int:  # 2,000 rows a chunk, then kiosks' batches come: 20
        calls.append(1)
        return 2_000 if len(calls) < 12 else 20

    return size


@pytest.mark.parametrize(
    ("names", "chunks"),
    [(False, "steady"), (True, "steady"), (False, "shrinking"), (True, "shrinking")],
    ids=["codes only", "names and emails", "chunks shrink", "names, chunks shrink"],
)
def test_on_sqlite_the_purge_copies_its_wal_back_before_sqlite_would_in_a_commit(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, names: bool, chunks: str
) -> None:
    """SQLite copies the WAL back into the database inside the commit that takes it past 1,000
    pages, with the write lock held: one purge chunk in 16 took 5-7 ms instead of 2, and a
    kiosk's batch waited behind it or was itself the commit that paid. The purge checkpoints
    between its chunks, outside any turn, so the WAL starts afresh well before that, however
    many pages a row takes (a fixed 8,000 rows took the WAL to 920 pages once ids were
    time-ordered, and to 1,097 with long names). Seen here with SQLite's own checkpoints
    switched off: the WAL of the whole purge is ~7,000 pages. A table's last rows are
    checkpointed before the next table's begin: left in the WAL, the visits' tail and the
    receipts' first rows made 880-1,002 pages. The chunks' sizes are set here, whatever the
    machine's load. Each commit also writes ~9 pages of its own (the index paths): with a row's
    share alone learnt from chunks of 2,000 rows, 8,000 rows in chunks of 20 (kiosks' batches
    came meanwhile) took the WAL to ~4,000 pages."""
    sizes = _steady if chunks == "steady" else _shrinking([])
    monkeypatch.setattr("kiosk.hub.purging.next_chunk_size", sizes)
    hub = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    sa.event.listen(
        hub._engine, "connect", lambda raw, _record: raw.execute("PRAGMA wal_autocheckpoint=0")
    )
    hub._engine.dispose()  # every connection from now on has them off
    grow_hub(hub, 50_000, to_db(clock() - timedelta(days=1)))
    wal = tmp_path / "hub.db-wal"
    with hub._engine.connect() as db:
        raw: Any = db.connection.dbapi_connection
        if names:  # as a site that sends its guests' names keeps them: more pages a row
            raw.execute(
                "UPDATE visits SET name = 'Guest with a long name ' || visit_id || visit_id,"
                " email = 'someone.with.a.long.address.' || visit_id || '@example.org'"
            )
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
    held: list[int] = []  # the WAL's pages at each of the purge's checkpoints, and at its end
    checkpoint = purging.checkpoint_between_chunks

    def noted_checkpoint(engine: sa.Engine) -> int:
        held.append(checkpoint(engine))
        return held[-1]

    monkeypatch.setattr(purging, "checkpoint_between_chunks", noted_checkpoint)

    def pages_left() -> None:  # the WAL file: a 32-byte header, then a page and 24 bytes a frame
        held.append((os.path.getsize(wal) - 32) // (page_size + 24))

    hub._reclaim_space = pages_left  # type: ignore[method-assign]
    counts = hub.purge(clock())
    hub.close()
    assert counts["visits"] == counts["receipts"] == 50_000
    # 800 aimed at (PURGE_WAL_PAGES); 1,000 is where SQLite would copy it back in a commit
    assert len(held) > 10 and max(held) < 900, held


def test_a_postgresql_purge_vacuums_without_parallel_workers(
    postgres: str, clock: FakeClock
) -> None:
    """After a big purge PostgreSQL vacuumed the indexes with parallel workers, taking the CPU
    a kiosk's batch needed to commit: p99 9-14 ms on a 2-core hub, 4 ms vacuuming alone."""
    hub = hub_service(fresh_database(postgres, "hub_purge_vacuum"), clock)
    grow_hub(hub, 1_000, to_db(clock() - timedelta(days=1)))
    vacuums: list[str] = []

    def statement(_c: object, _cur: object, sql: str, *_rest: object) -> None:
        if sql.startswith("VACUUM"):
            vacuums.append(sql)

    sa.event.listen(hub._engine, "before_cursor_execute", statement)
    counts = hub.purge(clock())
    hub.close()
    assert counts["visits"] == 1_000
    assert vacuums, "the purge vacuums the tables that held personal data"
    assert all(sql.startswith("VACUUM (PARALLEL 0) ") for sql in vacuums), vacuums


def test_on_postgresql_the_purge_starts_no_chunk_while_a_kiosks_batch_is_in_flight(
    postgres: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Side by side on a 2-core hub, a batch waited for the CPU and the WAL on each round trip
    while the purge chunked back to back (p99 5-6 ms; 1.4 ms alone). The purge now lets the
    batches in flight finish before its next chunk: a batch meets the chunk already running at
    most (here, held 30 ms in the middle, it met 54-95 chunks before)."""
    monkeypatch.setattr("kiosk.hub.purging.PURGE_CHUNK", 20)
    monkeypatch.setattr("kiosk.hub.purging.PURGE_TRANSACTION", {"postgresql": 1e-9})  # 2 rows
    hub = hub_service(fresh_database(postgres, "hub_purge_gives_way"), clock)
    grow_hub(hub, 3_000, to_db(clock() - timedelta(days=1)))
    log = _batches_beside_a_purge(hub, clock, batches=5, held=0.03)
    # the chunk that had already got past its wait when the batch came, at most
    assert max(_chunks_between(log, "asks", "answered")) <= 1, log
    assert _chunks_after_the_last_batch(log) > 10  # and the purge was still going


def _batches_beside_a_purge(
    hub: HubService, clock: FakeClock, batches: int, held: float = 0.0
) -> list[str]:
    """A purge in a thread and, once it has begun five chunks, a kiosk's one-visit batches 5 ms
    apart, each held ``held`` seconds as it writes. What happened, in order: "chunk" (a delete
    began), "asks", "writes" and "answered" (a batch's)."""
    identity = hub.authenticate(hub.add_kiosk("lobby-b", "taipei"))
    assert identity is not None
    log: list[str] = []
    chunks_began = threading.Event()

    def statement(_c: object, _cur: object, sql: str, *_rest: object) -> None:
        if "DELETE FROM visits" in sql:  # on PostgreSQL inside a WITH
            log.append("chunk")
            if log.count("chunk") == 5:
                chunks_began.set()
        elif sql.startswith("INSERT INTO visits"):
            log.append("writes")
            time.sleep(held)

    sa.event.listen(hub._engine, "before_cursor_execute", statement)
    purge = threading.Thread(target=hub.purge, args=(clock(),))
    purge.start()
    assert chunks_began.wait(10)
    for n in range(batches):
        log.append("asks")
        assert hub.ingest(identity, [checkin(f"new-{n}", clock)])[0]["status"] == "stored"
        log.append("answered")
        time.sleep(0.005)  # a kiosk's next batch comes a little later, while a chunk is running
    purge.join()
    hub.close()
    return log


def _chunks_between(log: list[str], start: str, end: str) -> list[int]:
    """For each batch, how many purge chunks began between its ``start`` and its ``end``."""
    starts = [i for i, entry in enumerate(log) if entry == start]
    ends = [i for i, entry in enumerate(log) if entry == end]
    return [log[a:b].count("chunk") for a, b in zip(starts, ends, strict=True)]


def _chunks_after_the_last_batch(log: list[str]) -> int:
    last = max(i for i, entry in enumerate(log) if entry == "answered")
    return log[last:].count("chunk")


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
