"""The hub's retention purge of one table: chunk by chunk, each a transaction sized by its time,
so kiosks' batches go in between; SQLite's WAL checkpointed by the purge itself on the way.

Table and column names come from the schema, never from a request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kiosk.give_way import GiveWay
from kiosk.hub.erasing import (
    PERSONAL_TABLES,
    WRITE_OUT_AS_YOU_GO,
    checkpoint_between_chunks,
    vacuum,
)
from kiosk.hub.session_settings import change_settings, settings_for_a_while
from kiosk.wal_copier import WalCopier
from kiosk.wire import next_chunk_size

PURGE_CHUNK = 500  # rows in the first delete transaction; then sized by time
# Seconds a purge transaction aims at, by database: a kiosk's batch waits about this at most.
# Measured on 1,000,000 visits and their receipts, a kiosk's one-visit batch every 5 ms beside:
# SQLite (with the checkpoints below) 3 ms 203-238k visits/s, batch p99 3.5-4.8 ms; 4 ms
# 231-238k, 5.4-5.6 ms. PostgreSQL (fsync on, the purge giving way to batches) 3 ms 310-400k,
# batch p99 3.2-4.0 ms; 10 ms 470k (6-8 ms before giving way).
# Alone (no batch in the last KIOSKS_AROUND seconds), PostgreSQL's chunks are longer: a chunk
# there holds no lock a batch would wait for (it deletes expired rows, which no batch writes), so
# a batch that comes in meanwhile shares the machine with it and nothing more, and fewer chunks
# are fewer round trips. 1,000,000 visits alone, fsync on, one A/B on a noisy day: 3 ms 97-104k
# (52 % of the bare DELETEs' floor), 10 ms 160-162k (59 %; the floor moved too, 193k -> 273k);
# three pairs at 100,000 on an earlier day, +5 %. Longest transaction 16 ms at 10; 8 ms was then
# taken for a margin below the 20 ms goal (see below). SQLite's chunk holds the write lock: a batch
# waits for it, but alone there is none to wait. SQLite alone, 1,000,000 visits, A/B twice
# (2026-12-02, ``make bench``'s test, three rounds each): 3 ms 111-114k visits/s, longest 5.8 ms;
# 6 ms 129-135k, longest 9.7-13.9 ms (bare DELETEs 146-155k). But a transaction's longest is its
# target times the machine's worst moment (the same pure CPU work took up to 2.6x its median on this
# VM, ``make bench`` prints it) plus its commit's flush: at 8 ms, one PostgreSQL transaction in
# 3,601 took 21.2 ms. Later that day, 1,000,000 visits alone, vacuum included, A/B: PostgreSQL 8 ms
# 253-350k visits/s (eight rounds, longest 8.9-12.7 ms), 6 ms 317-351k (four, 7.8-10.2), 5 ms
# 279-360k (eight, 6.3-9.0); SQLite 6 ms 252-269k (four, 7.7-10.7), 4 ms 243-266k (four, 6.0-10.3).
PURGE_TRANSACTION = {"sqlite": 0.004, "postgresql": 0.005}
# ... and while kiosks are sending (a batch came in the last KIOSKS_AROUND seconds), as a batch
# waits for the transaction under way. 100,000 visits beside a batch every 5 ms, three rounds,
# four A/B pairs: SQLite at 1 ms, batch p99 7.4-8.7 -> 5.8-7.6 ms, the purge 70-95k -> 40-52k
# visits/s meanwhile. PostgreSQL at 1 ms, two pairs: p99 12.0 -> 10.9 ms (its p99 with no purge
# moved as much, 7.7 and 6.2), the purge 82k -> 24k: its chunks would be mostly round trips.
# SQLite at 0.5 ms (2026-12-02, 1,000,000 visits, ``make bench``'s test): batch p99 5.1-5.3 ->
# 4.0-4.2 ms (with no purge 2.4-3.1), the purge beside the batches 65-80k -> 32-48k visits/s;
# alone it keeps its pace. PostgreSQL at 1.5 ms (2026-12-02, 1,000,000 visits, the batches
# beside the deletes, the vacuum left out): batch p99 5.0-6.3 ms at 3 ms (four runs) -> 3.8-4.7
# at 1.5 (four), 4.7-5.3 at 2 and 4.0-4.2 at 1 (two each); 3.4-4.5 with no purge. A batch waits
# for no lock of a chunk there, but shares the machine with the one under way. The runs that
# had seen no gain in 1.5 ms were swamped by connections the purge took from the pool (a batch
# then opened one, 5-15 ms) and by the vacuum's writes after it, both since mended.
PURGE_TRANSACTION_BESIDE_KIOSKS = {"sqlite": 0.0005, "postgresql": 0.0015}
# ... and beside a vacuum of its own (``PurgeRun``, on PostgreSQL with no kiosk sending), which
# shares the 2-core machine with its chunks: at 8 ms (then the target alone), one chunk in
# 1,500-2,000 took 28-33 ms beside the visits' vacuum (the goal is 20); at 3 ms, 8-12 ms.
PURGE_TRANSACTION_BESIDE_VACUUM = 0.003
KIOSKS_AROUND = 1.0
# SQLite: the purge checkpoints after this many rows at most, well before the WAL reaches the
# 1,000 pages at which a commit would copy it back itself. Beside a kiosk: every 8,000 rows
# 192-219k visits/s, batch p99 3.5-4.8 ms; ~4,000 202k, 4.1 ms; ~16,000 (SQLite's own too)
# 5.6 ms. 8,000 visits or receipts took 550-870 WAL pages with time-ordered ids; rows with names
# and emails take more, so the purge also foresees the WAL (``WalForecast``) and checkpoints
# before a chunk that would take it past PURGE_WAL_PAGES. Never more rows than the bound: after a
# commit of SQLite's own had emptied the WAL, the next checkpoint saw few pages for many rows,
# allowed more, and the WAL went past 1,000 pages again (batch p99 5.6-5.9 ms).
PURGE_CHECKPOINT_ROWS = 8_000
PURGE_WAL_PAGES = 800
# Alone, no commit of a batch's waits on the WAL's length, and each checkpoint pays its own syncs
# to disk: the purge checkpoints five times less often, its own commits never copying the WAL
# back (``wal_autocheckpoint`` off on its connection). 1,000,000 visits alone, three A/B pairs
# (2026-12-02): ~310 checkpoints taking 0.75-0.76 s -> 54 taking 0.50-0.53 s; 4.8-5.3 s ->
# 4.3-4.8 s in all. A batch that comes meanwhile may find up to PURGE_WAL_PAGES_ALONE pages,
# which its commit copies back itself (once: the purge is then beside kiosks).
PURGE_CHECKPOINT_ROWS_ALONE = 40_000
PURGE_WAL_PAGES_ALONE = 4_000
# Each commit writes pages of its own, whatever its size: each b-tree's path to the leaves it
# changed. Per 1,000 visits: 538 WAL pages in chunks of 20, 190 of 100, 90 of 500, 72 of 2,000;
# 9-13 pages a commit (the receipts' b-trees take more) and 0.04-0.14 a row. A commit is counted
# at the most; a row's rate is learnt at each checkpoint, starting at the most seen (long names
# and emails). With a row's rate alone learnt from chunks of 2,000 rows, chunks shrunk to 20 by
# kiosks' batches took the WAL to 2,500-2,800 pages; now it peaks at 820.
PURGE_PAGES_PER_COMMIT = 12
PURGE_FIRST_PAGES_PER_ROW = 0.15
PURGE_LEAST_PAGES_PER_ROW = 0.04
PURGE_GIVES_WAY = 0.05  # seconds a chunk waits at most for the kiosks' batches in flight
# How a purge chunk's rows are picked (table and column names come from the schema, never from a
# request). On SQLite, by their address: the first due rows' rowids. On PostgreSQL, by their
# deadlines: the chunk is every due row up to the deadline of its ``:size``-th (a deadline that
# more rows share goes whole), found by the deadline's index, then deleted by a bitmap scan of
# that index, which visits each table page once and in order. Picked by address (``ctid``), each
# row was fetched twice, once to pick it and once to delete it: per 2,500 visits 7.8-8.8 ms
# against 4.4-6.5 (EXPLAIN ANALYZE, fsync on); whole purges, alternating the two (2026-12-02):
# 100,000 visits 132k -> 140k a second (medians of six), 1,000,000 131k -> 137k (of four), the
# rest of the time being the vacuum after (2.8 of 7.3 s at 1,000,000) and the per-row work of
# the deletes themselves. Neither part may sort or scan the table (the settings below): left to
# a sequential scan, a chunk that found fewer rows than its size (the last one) went on round
# the whole table, pruning every page, and a table without statistics yet (just filled) had
# its due rows sorted for chunks of 10,000 and more: 70-190 ms for one chunk of 1,000,000
# visits, against 5-10 by the index. A plan priced out of reach also looked big enough to
# compile (JIT): 15 ms for nothing.
#
# PostgreSQL's chunks also commit without waiting for their WAL to reach the disk
# (``synchronous_commit`` off, for the chunk's transaction alone). Measured beside a kiosk's
# batch every 5 ms (fsync on, A/B pairs on one slow day): 100,000 visits 59k -> 76k a second,
# 1,000,000 64k -> 78k, the batches' p99 unchanged (8.0 and 7.5 ms). Nothing is lost to it:
# such a commit is never torn, only undone by a crash of the server in the next moment, and
# the purge ends with a commit that does wait (``make_durable``), taking every chunk before it
# to the disk. A crash before that leaves rows the next purge deletes, as if not reached yet.
#
# SQLite: the purge's commits never copy the WAL back themselves (at 1,000 pages); the purge
# does it between its chunks (``checkpoint_between_chunks``), or alone mostly beside them
# (``kiosk.wal_copier``).
#
# Alone and while kiosks are sending, two settings differ (WHILE_KIOSKS_SEND, switched from chunk
# to chunk by ``follow_the_kiosks``):
#
# PostgreSQL, while kiosks are sending: the pages the chunks write go on to the disk as they are
# written (WRITE_OUT_AS_YOU_GO), not in one burst 30 s later, beside a kiosk's commit. Alone,
# not: handing each 256 kB to the disk at once sometimes held the chunk itself while the disk was
# busy (the chunk waiting on the server, not on its CPU or its commit). 1,000,000 visits alone,
# ten A/B pairs (2026-12-03): with it, 3 of 7,235 chunks over 15 ms, the longest 171 ms (and
# 31 and 15 ms in 16 more rounds); without, none of 7,740, the longest 12.9 ms; the rate alike
# (180-323k visits/s, 186-330k).
#
# SQLite, alone: the chunks commit without waiting for the disk (``synchronous`` NORMAL), as
# PostgreSQL's always do; the checkpoint between chunks syncs the WAL before it copies it, and
# the purge ends with one. Its longest transactions were its COMMITs waiting on a slow moment of
# the disk (12.3 of 12.5 ms, 16.8 of 17.0 in two ``make bench`` runs; the goal is 20). 1,000,000
# visits alone, four A/B pairs (2026-12-03): waiting, the longest 6.9-134 ms (a COMMIT of 131
# ms), the commits' median 1.2 ms; not, 7.2-7.7 ms and 0.65; the rate alike (176-211k visits/s,
# 188-214k). While kiosks are sending they wait, as a batch's commit would otherwise flush the
# purge's pages.
#
# The settings are made on the purge's one connection for as long as its purge of a table
# (``chunk_settings``), then undone.
CHUNK_SETTINGS = {
    "sqlite": {"wal_autocheckpoint": "0", "synchronous": "NORMAL"},
    "postgresql": {
        "enable_sort": "off",
        "enable_seqscan": "off",
        "jit": "off",
        "synchronous_commit": "off",
        "backend_flush_after": "0",
    },
}
WHILE_KIOSKS_SEND = {"sqlite": {"synchronous": "FULL"}, "postgresql": WRITE_OUT_AS_YOU_GO}
# PostgreSQL's chunk also starts its walk at the latest deadline the last chunk deleted
# (``:since``): a deleted row's index entry stays until the vacuum after the purge, and every
# chunk walked all those of the chunks before it. With a deadline of its own for each visit
# (not one shared by all, which the index kept as one entry) 1,000,000 visits were purged at
# 32-47k a second, chunks shrinking to 50 rows at 2-4 ms. SQLite removes a row's index entries
# with it: its walk from the start meets none, and ``:since`` stays "". A row that comes in
# during a purge with a deadline already behind it waits for the next purge.
_SQLITE_CHUNK = (
    "DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {due} <= :moment"
    " LIMIT :size) AND {due} <= :moment"
)
_POSTGRESQL_CHUNK = (
    "WITH last AS (SELECT max({due}) AS due FROM (SELECT {due} FROM {table}"
    " WHERE {due} >= :since AND {due} <= :moment ORDER BY {due} LIMIT :size) AS first_due),"
    " gone AS (DELETE FROM {table} WHERE {due} >= :since AND {due} <= (SELECT due FROM last)"
    " RETURNING 1)"
    " SELECT (SELECT count(*) FROM gone), (SELECT due FROM last)"
)


def purge_due_rows(
    engine: Engine,
    give_way: GiveWay,
    table: sa.Table,
    due: sa.Column[Any],
    moment: str,
    vacuuming: Callable[[], bool] = lambda: False,
) -> int:
    """Delete the table's rows due by ``moment``, a time-sized chunk per transaction (ingest
    waits about one at most). A chunk is picked and deleted inside the database, by the rows'
    own addresses (SQLite) or deadlines (PostgreSQL), never by key: only rows still due go, and
    a row that shares an expired row's key (another site's visit under the same id) stays. As a
    primary-key IN, or on PostgreSQL a ctid IN above ~3,000 rows, the planner scanned the whole
    table for every chunk (14-80 ms a chunk instead of 1-10).

    ``vacuuming``: whether a vacuum runs beside the purge (``PurgeRun``); its chunks are then
    shorter (PURGE_TRANSACTION_BESIDE_VACUUM), sharing the machine with it."""
    with (
        engine.connect() as db,
        chunk_settings(db),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-wal-copier") as worker,
    ):
        copier = WalCopier(lambda: checkpoint_between_chunks(engine), worker)
        statement = chunk_delete(db.dialect.name, table, due)
        return _purge_chunks(engine, db, give_way, statement, moment, vacuuming, copier)


def chunk_settings(db: sa.Connection) -> AbstractContextManager[None]:
    """CHUNK_SETTINGS on this connection for the block, then undone (``settings_for_a_while``).
    One connection serves every chunk of a table, its settings made once: taken from the pool
    for each chunk, a PostgreSQL chunk paid two more round trips (the pool's ping, the
    settings), ~0.3 of its 3 ms."""
    return settings_for_a_while(db, CHUNK_SETTINGS[db.dialect.name])


def _purge_chunks(
    engine: Engine,
    db: sa.Connection,
    give_way: GiveWay,
    statement: sa.TextClause,
    moment: str,
    vacuuming: Callable[[], bool],
    copier: WalCopier,
) -> int:
    alone = PURGE_TRANSACTION[engine.dialect.name]
    beside_kiosks = PURGE_TRANSACTION_BESIDE_KIOSKS[engine.dialect.name]
    total, size, since = 0, PURGE_CHUNK, ""
    wal = WalForecast()
    beside = False  # as CHUNK_SETTINGS leave the connection
    while True:
        give_way.wait_for_foreground(PURGE_GIVES_WAY)
        beside = follow_the_kiosks(db, give_way, beside)
        with db.begin():
            started = time.perf_counter()  # its turn came: the wait for it is not its size
            deleted, since = delete_chunk(db, statement, moment, size, since)
        took = time.perf_counter() - started  # the commit included
        if not deleted:
            copier.finish()
            if wal.rows:  # the next table's first rows start from an empty WAL too
                checkpoint_between_chunks(engine)
            if total:
                make_durable(engine)
            return total
        total += deleted
        wal.committed(deleted)
        kiosks_sending = give_way.busy_within(KIOSKS_AROUND)
        if kiosks_sending:
            target = beside_kiosks
        elif vacuuming():
            target = PURGE_TRANSACTION_BESIDE_VACUUM
        else:
            target = alone
        size = next_chunk_size(size, took, target, PURGE_CHUNK // 10, PURGE_CHUNK * 40)
        # Before the chunk that would take the WAL past its bound, not after it: checked
        # after, a quick moment's big chunk (7,000 rows) on top of 7,999 took it to 1,032
        # pages, past the 1,000 at which SQLite copies it back inside a commit.
        if copier.copying:  # alone, on SQLite (``kiosk.wal_copier``)
            if copier.all_but_the_rest(another_pass=not kiosks_sending):
                wal.checkpointed(checkpoint_between_chunks(engine))
        elif wal.would_pass(size, alone=not kiosks_sending):
            if kiosks_sending or engine.dialect.name != "sqlite":
                wal.checkpointed(checkpoint_between_chunks(engine))
            else:
                copier.start()


class WalForecast:
    """The pages the purge has put in SQLite's WAL since its last checkpoint, foreseen from the
    rows and commits since (nothing to foresee on PostgreSQL: its checkpoints answer 0 pages)."""

    def __init__(self) -> None:
        self.rows = 0
        self.commits = 0
        self.pages_per_row = PURGE_FIRST_PAGES_PER_ROW

    def committed(self, rows: int) -> None:
        self.rows += rows
        self.commits += 1

    def would_pass(self, size: int, alone: bool = False) -> bool:
        """Whether one more commit of ``size`` rows may take the WAL past PURGE_WAL_PAGES (or
        the rows past PURGE_CHECKPOINT_ROWS); ``alone``, past the _ALONE bounds."""
        rows, commits = self.rows + size, self.commits + 1
        pages = self.pages_per_row * rows + PURGE_PAGES_PER_COMMIT * commits
        if alone:
            return rows > PURGE_CHECKPOINT_ROWS_ALONE or pages > PURGE_WAL_PAGES_ALONE
        return rows > PURGE_CHECKPOINT_ROWS or pages > PURGE_WAL_PAGES

    def checkpointed(self, pages: int) -> None:
        """The checkpoint found ``pages`` in the WAL: what a row took, net of the commits'."""
        if pages > 0 and self.rows > 0:
            per_row = (pages - PURGE_PAGES_PER_COMMIT * self.commits) / self.rows
            self.pages_per_row = max(PURGE_LEAST_PAGES_PER_ROW, per_row)
        self.rows = self.commits = 0


def follow_the_kiosks(db: sa.Connection, give_way: GiveWay, beside: bool) -> bool:
    """Before a chunk: WHILE_KIOSKS_SEND on the purge's connection while kiosks are sending,
    CHUNK_SETTINGS' own values while none is; nothing to do (no statement) while that stays
    as it was. Answers whether kiosks are sending."""
    kiosks_sending = give_way.busy_within(KIOSKS_AROUND)
    if kiosks_sending != beside:
        dialect = db.dialect.name
        sending = WHILE_KIOSKS_SEND[dialect]
        alone = {name: CHUNK_SETTINGS[dialect][name] for name in sending}
        change_settings(db, sending if kiosks_sending else alone)
    return kiosks_sending


def chunk_delete(dialect: str, table: sa.Table, due: sa.Column[Any]) -> sa.TextClause:
    """One purge chunk: about ``:size`` of the table's rows due by ``:moment`` (on PostgreSQL
    from ``:since`` on, answering how many went and the latest deadline among them)."""
    chunk = _SQLITE_CHUNK if dialect == "sqlite" else _POSTGRESQL_CHUNK
    return sa.text(chunk.format(table=table.name, due=due.name))


def delete_chunk(
    db: sa.Connection, statement: sa.TextClause, moment: str, size: int, since: str
) -> tuple[int, str]:
    """Runs one chunk of ``chunk_delete``: the rows deleted, and where the next one starts."""
    if db.dialect.name == "sqlite":
        return db.execute(statement, {"moment": moment, "size": size}).rowcount, since
    deleted, latest = db.execute(statement, {"moment": moment, "size": size, "since": since}).one()
    return int(deleted), latest or since


def make_durable(engine: Engine) -> None:
    """PostgreSQL: returns once every chunk committed so far is on disk. The commit of a
    transaction that wrote to the WAL waits, when synchronous, until the WAL is on disk up to
    its record, and every earlier commit is before it. What is written is a transactional
    message for logical decoding (a few bytes, any user may, at any ``wal_level``): a
    transaction that only takes an id writes nothing, and its commit waited for nothing.
    SQLite's commits are durable as they are."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as db:
        db.exec_driver_sql(
            "SELECT set_config('synchronous_commit', 'on', true),"
            " pg_logical_emit_message(true, 'lobby-kiosk', 'purge')"
        )


class PurgeRun:
    """One purge of the hub's tables, table by table. On PostgreSQL with no kiosk sending, each
    table that may hold a name is vacuumed as soon as its purge ends, beside the purge of the
    next, one vacuum at a time (``PARALLEL 0``) and without giving its empty tail back
    (``vacuum``: the vacuum at the end does, as before, finding the rest done). The chunks
    beside it are shorter (PURGE_TRANSACTION_BESIDE_VACUUM): they share the machine with it.
    Vacuumed at the end, one after the other, the visits' vacuum alone was 40 % of a purge of
    1,000,000 visits; vacuumed beside the next table's chunks, ``make bench``'s rounds alone
    (2026-12-02): 252-263k visits/s -> 319-351k, longest transaction 11-14 ms either way. Beside
    kiosks the vacuums stay at the end, on one core, as a batch would wait for a CPU. Leaving
    the block waits for them and raises what they raised."""

    def __init__(self, engine: Engine, give_way: GiveWay) -> None:
        self._engine = engine
        self._give_way = give_way
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-vacuum")
        self._running: list[Future[None]] = []

    def table(self, table: sa.Table, due: sa.Column[Any], moment: str) -> int:
        """The table's rows due by ``moment`` deleted (``purge_due_rows``); how many went."""
        deleted = purge_due_rows(self._engine, self._give_way, table, due, moment, self.vacuuming)
        early = (
            deleted > 0
            and self._engine.dialect.name == "postgresql"
            and table.name in PERSONAL_TABLES
            and not self._give_way.busy_within(KIOSKS_AROUND)
        )
        if early:
            self._running.append(self._worker.submit(vacuum, self._engine, table.name, False))
        return deleted

    def vacuuming(self) -> bool:
        return any(not running.done() for running in self._running)

    def __enter__(self) -> PurgeRun:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._worker.shutdown(wait=True)
        if error is None:  # else that error is the one to see
            for running in self._running:
                running.result()
