"""Erasing visits at the hub on a person's request, down to the bytes on disk: the visit, its
receipts, its line in any roll call, and a tombstone so a late replay cannot bring it back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from kiosk.hub import schema as t
from kiosk.hub.session_settings import settings_for_a_while

# Tables that may hold a name or an email and lose rows on request: vacuumed after an erasure.
PERSONAL_TABLES = ("visits", "receipts", "invitations", "roll_call_people", "rights_exports")
# PostgreSQL: a vacuum while kiosks are sending goes at autovacuum's pace (a 2 ms pause after
# each 200 units of its work). Unthrottled, the vacuums after a purge of 1,000,000 visits wrote
# at up to ~200 MB/s for 1.8 s, and a kiosk's batch meanwhile waited on its commit's flush
# behind them: p99 8.4 ms, its commit alone 5.6. At this pace they take ~40 s, the batches'
# p99 4.2 ms (its commit 0.9). A lobby's daily purge is a few hundred visits, its vacuum as
# quick either way.
# PostgreSQL: the pages a purge's deletes and a vacuum write out are handed to the kernel, which
# keeps them in memory until they are 30 s old (``vm.dirty_expire_centisecs``) and then writes
# them all at once; a kiosk's commit that syncs the WAL in that moment waits behind them. Beside
# a batch every 5 ms, a purge of 1,000,000 visits held one batch 50-64 ms in its COMMIT (waiting
# in WALSync) 30 s after the deletes, in eight runs of eight (10 s after with the kernel's expiry
# set to 10 s). Asking the kernel to write them out every 256 kB as they go
# (``backend_flush_after``, on the purge's connection while kiosks are sending, see
# ``kiosk.hub.purging``, and on the gentle vacuum's): the slowest batch 4.9-10.4 ms in five
# runs of six (one 56 ms), the batches' p99 as before (1.7-2.5 ms); the purge alone as fast,
# three pairs: 328-340k visits/s without, 329-334k with (2026-12-02).
WRITE_OUT_AS_YOU_GO = {"backend_flush_after": "256kB"}
GENTLE_VACUUM = {"vacuum_cost_delay": "2", "vacuum_cost_limit": "200", **WRITE_OUT_AS_YOU_GO}


def bury(db: Connection, site: str, visit_ids: Sequence[str], until: str) -> int:
    """Erase these visits of the site; returns how many the hub held."""
    ids = list(dict.fromkeys(visit_ids))
    if not ids:
        return 0
    site_kiosks = sa.select(t.kiosks.c.kiosk_id).where(t.kiosks.c.site == site)
    erased = int(
        db.execute(
            t.visits.delete().where(t.visits.c.site == site, t.visits.c.visit_id.in_(ids))
        ).rowcount
    )
    db.execute(
        t.receipts.delete().where(
            t.receipts.c.visit_id.in_(ids), t.receipts.c.kiosk_id.in_(site_kiosks)
        )
    )
    site_calls = sa.select(t.roll_calls.c.roll_call_id).where(t.roll_calls.c.site == site)
    db.execute(
        t.roll_call_people.delete().where(
            t.roll_call_people.c.visit_id.in_(ids),
            t.roll_call_people.c.roll_call_id.in_(site_calls),
        )
    )
    stones = t.tombstones.c
    buried = set(
        db.execute(
            sa.select(stones.visit_id).where(stones.site == site, stones.visit_id.in_(ids))
        ).scalars()
    )
    new = [{"site": site, "visit_id": i, "until": until} for i in ids if i not in buried]
    if new:
        db.execute(t.tombstones.insert(), new)
    return erased


def checkpoint_between_chunks(engine: Engine) -> int:
    """SQLite: copy the purge's last chunks from the WAL into the database, outside any write
    turn, so a kiosk's batch goes on meanwhile and the next chunk starts the WAL afresh. Left to
    SQLite, the commit that takes the WAL past 1,000 pages copies them all back itself, with
    the write lock held: one chunk in 16 took 5-7 ms instead of 2, and a batch waited behind it
    (or was the commit that paid). PostgreSQL needs nothing of the kind. Returns the pages
    the WAL held (0 on PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return 0
    with engine.connect() as db:
        return _sqlite_checkpoint(db, "PASSIVE")


def reclaim_space(engine: Engine, gently: bool = False) -> None:
    """Deleted rows must not linger: SQLite's WAL is checkpointed and truncated (pages were
    overwritten by secure_delete); PostgreSQL's dead tuples are vacuumed, ``gently`` while
    kiosks are sending (GENTLE_VACUUM)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as db:
            _sqlite_checkpoint(db, "TRUNCATE")
        return
    for table in PERSONAL_TABLES:
        vacuum(engine, table, gently=gently)


def vacuum(engine: Engine, table: str, truncate: bool = True, gently: bool = False) -> None:
    """PostgreSQL: the table's dead tuples reclaimed. The vacuum works alone (``PARALLEL 0``):
    after a purge of 1,000,000 visits PostgreSQL cleaned the indexes with parallel workers,
    which left a 2-core hub's kiosks waiting for a CPU to commit their batches (p99 9-14 ms,
    against 4 ms with the vacuum on one core; it takes as long). ``table`` is one of
    PERSONAL_TABLES, never a request's.

    ``truncate=False``: the table's empty tail stays in its file, for a later vacuum to give
    back. Giving it back writes and flushes a WAL record, which held a purge chunk running
    beside the vacuum 21-33 ms (one in ~500); a vacuum after, which finds those pages already
    clean (the visibility map), gives it back in a moment. ``gently``: at GENTLE_VACUUM's pace."""
    with engine.connect() as db:
        autocommit = db.execution_options(isolation_level="AUTOCOMMIT")
        options = "PARALLEL 0" if truncate else "PARALLEL 0, TRUNCATE false"
        with settings_for_a_while(autocommit, GENTLE_VACUUM if gently else {}):
            autocommit.exec_driver_sql(f"VACUUM ({options}) {table}")


def _sqlite_checkpoint(db: Connection, mode: str) -> int:
    """Outside any transaction, straight to the driver (SQLAlchemy would begin one). Returns
    the pages the WAL held."""
    raw: Any = db.connection.dbapi_connection
    _busy, pages, _copied = raw.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
    return int(pages)
