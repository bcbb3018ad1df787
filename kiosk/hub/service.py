"""What the hub does, without HTTP: ingest events exactly once, answer lists, erase and purge.

Every method opens its own transaction on the shared database and keeps nothing in memory, so any
number of hub processes can serve the same kiosks.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from kiosk.hub import schema as t
from kiosk.hub.erasing import bury, checkpoint_between_chunks, reclaim_space
from kiosk.hub.give_way import GiveWay
from kiosk.hub.ingest import Batch, ClashError
from kiosk.hub.records import (
    DENY_FIELDS,
    KioskIdentity,
    ReceiptInUseError,
    RecordRejectedError,
    clean_text,
    deny_row,
)
from kiosk.wire import Clock, Host, next_chunk_size, to_db

__all__ = ["HubService", "KioskIdentity", "ReceiptInUseError", "RecordRejectedError"]

PURGE_CHUNK = 500  # rows in the first delete transaction; then sized by time
# Seconds a purge transaction aims at, by database: a kiosk's batch waits about this at most.
# Measured on 1,000,000 visits and their receipts, a kiosk's one-visit batch every 5 ms beside:
# SQLite (with the checkpoints below) 3 ms 203-238k visits/s, batch p99 3.5-4.8 ms; 4 ms
# 231-238k, 5.4-5.6 ms. PostgreSQL (fsync on, the purge giving way to batches) 3 ms 310-400k,
# batch p99 3.2-4.0 ms; 10 ms 470k (6-8 ms before giving way).
PURGE_TRANSACTION = {"sqlite": 0.003, "postgresql": 0.003}
# SQLite: the purge checkpoints after this many rows at most, well before the WAL reaches the
# 1,000 pages at which a commit would copy it back itself. Beside a kiosk: every 8,000 rows
# 192-219k visits/s, batch p99 3.5-4.8 ms; ~4,000 202k, 4.1 ms; ~16,000 (SQLite's own too)
# 5.6 ms. 8,000 visits or receipts took 550-870 WAL pages with time-ordered ids; rows with names
# and emails take more, so the rows are also held to PURGE_WAL_PAGES at the pages a row took
# between the last two checkpoints. Never more rows than the bound: after a commit of SQLite's
# own had emptied the WAL, the next checkpoint saw few pages for many rows, allowed more, and
# the WAL went past 1,000 pages again (batch p99 5.6-5.9 ms).
PURGE_CHECKPOINT_ROWS = 8_000
PURGE_WAL_PAGES = 800
PURGE_GIVES_WAY = 0.05  # seconds a chunk waits at most for the kiosks' batches in flight
# How a purge chunk's rows are picked, by their address (table and column names come from the
# schema, never from a request). On PostgreSQL the chunk walks the deadline's index (ORDER BY,
# and no sorting allowed in its transaction): left to a sequential scan, a chunk that found
# fewer rows than its size (the last one) went on round the whole table, pruning every page, and
# a table without statistics yet (just filled) had its due rows sorted for chunks of 10,000 and
# more: 70-190 ms for one chunk of 1,000,000 visits, against 5-10 by the index. A sort priced
# out of reach also made the statement look big enough to compile (JIT): 15 ms for nothing.
_CHUNK_SETTINGS = {
    "sqlite": (),
    "postgresql": (
        "SELECT set_config('enable_sort', 'off', true), set_config('jit', 'off', true)",
    ),
}
_CHUNK_PICKED_BY = {
    "sqlite": "rowid IN (SELECT rowid FROM {table} WHERE {due} <= :moment LIMIT :size)",
    "postgresql": (
        "ctid = ANY(ARRAY(SELECT ctid FROM {table} WHERE {due} <= :moment"
        " ORDER BY {due} LIMIT :size))"
    ),
}
ERASURE_RECEIPT_DAYS = 365  # the receipt (no personal data) proves a request was honoured
TOKEN_PREFIX = "lkh_"  # noqa: S105 (a prefix that makes leaked keys easy to find, not a secret)


def hash_token(token: str) -> str:
    """API keys are 256-bit random, so one SHA-256 is enough to make the stored form useless."""
    return hashlib.sha256(token.encode()).hexdigest()


class HubService:
    def __init__(self, engine: Engine, clock: Clock, max_retention_days: int = 30) -> None:
        self._engine = engine
        self._clock = clock
        self.max_retention = timedelta(days=max_retention_days)
        self._give_way = GiveWay()

    @property
    def engine(self) -> Engine:
        """The hub's database, for the parts that keep their own tables (console accounts)."""
        return self._engine

    @property
    def clock(self) -> Clock:
        return self._clock

    def close(self) -> None:
        """Close the pooled connections (PostgreSQL would otherwise keep them open)."""
        self._engine.dispose()

    # -- kiosks --------------------------------------------------------------------------------

    def add_kiosk(self, kiosk_id: str, site: str) -> str:
        """Register a kiosk (or give it a new key); returns the bearer token, shown only once."""
        if not kiosk_id.strip() or not site.strip():
            raise ValueError("a kiosk needs an id and a site")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = {"site": site, "key_hash": hash_token(token), "revoked_at": None}
        with self._engine.begin() as db:
            updated = db.execute(t.kiosks.update().where(t.kiosks.c.kiosk_id == kiosk_id), row)
            if not updated.rowcount:
                db.execute(
                    t.kiosks.insert(),
                    {**row, "kiosk_id": kiosk_id, "created_at": to_db(self._clock())},
                )
        return token

    def revoke_kiosk(self, kiosk_id: str) -> bool:
        with self._engine.begin() as db:
            done = db.execute(
                t.kiosks.update()
                .where(t.kiosks.c.kiosk_id == kiosk_id)
                .values(revoked_at=to_db(self._clock()))
            )
        return bool(done.rowcount)

    def authenticate(self, token: str) -> KioskIdentity | None:
        with self._engine.connect() as db:
            row = db.execute(
                sa.select(t.kiosks.c.kiosk_id, t.kiosks.c.site).where(
                    t.kiosks.c.key_hash == hash_token(token), t.kiosks.c.revoked_at.is_(None)
                )
            ).first()
        return KioskIdentity(row.kiosk_id, row.site) if row else None

    # -- events --------------------------------------------------------------------------------

    def ingest(
        self, kiosk: KioskIdentity, events: Sequence[Mapping[str, Any]]
    ) -> list[dict[str, Any]]:
        """One answer per event, in order. The whole batch is decided in memory and written with
        a few bulk statements; a rejected record changes nothing and the rest is kept. Only if
        another hub process stored some of the same records at the same moment (a unique-key
        clash) is the batch redone one record at a time, each then answered as a replay."""
        with self._give_way.batch():
            now = self._clock()
            try:
                with self._engine.begin() as db:
                    return Batch(self.max_retention, db, kiosk, now).run(events)
            except (IntegrityError, ClashError):
                pass
            with self._engine.begin() as db:
                return [self._ingest_alone(db, kiosk, event, now) for event in events]

    def _ingest_alone(
        self, db: Connection, kiosk: KioskIdentity, event: Mapping[str, Any], now: datetime
    ) -> dict[str, Any]:
        """One record in its own savepoint; a clash means another process is storing it right
        now, so look again (its commit makes it a replay)."""
        for _attempt in range(5):
            try:
                with db.begin_nested():
                    return Batch(self.max_retention, db, kiosk, now).run([event])[0]
            except (IntegrityError, ClashError):
                continue
        key = str(event.get("idempotency_key", ""))[:160]
        reason = "conflicts with a visit the hub already holds"
        return {"idempotency_key": key, "status": "rejected", "reason": reason}

    # -- lists the kiosks pull -----------------------------------------------------------------

    def on_site(self, site: str) -> list[dict[str, Any]]:
        """Everyone checked in and not out at any kiosk of the site, earliest first."""
        columns = ("visit_id", "kiosk_id", "host_id", "purpose", "checked_in_at", "name")
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(*(t.visits.c[name] for name in columns))
                .where(t.visits.c.site == site, t.visits.c.checked_out_at.is_(None))
                .order_by(t.visits.c.checked_in_at)
            ).all()
        return [dict(row._mapping) for row in rows]

    def checkouts_elsewhere(
        self, kiosk: KioskIdentity, since: int
    ) -> tuple[list[dict[str, Any]], int]:
        """This kiosk's visits that another kiosk checked out after change number ``since``."""
        v = t.visits.c
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(v.visit_id, v.checked_out_at, v.checked_out_by, v.checked_out_seq)
                .where(
                    v.site == kiosk.site,
                    v.kiosk_id == kiosk.kiosk_id,
                    v.checked_out_by != kiosk.kiosk_id,
                    v.checked_out_seq > since,
                )
                .order_by(v.checked_out_seq)
            ).all()
        cursor = max([since, *(int(row.checked_out_seq) for row in rows)])
        listed = [
            {"visit_id": r.visit_id, "checked_out_at": r.checked_out_at, "by": r.checked_out_by}
            for r in rows
        ]
        return listed, cursor

    def hosts(self, site: str) -> list[dict[str, Any]]:
        h = t.hosts.c
        with self._engine.connect() as db:
            rows = db.execute(sa.select(t.hosts).where(h.site == site).order_by(h.host_id)).all()
        return [
            {
                "id": r.host_id,
                "name": r.name,
                "department": r.department,
                "email": r.email,
                "notify": json.loads(r.notify),
                "language": r.language,
                "active": bool(r.active),
                "company_id": r.company_id,
            }
            for r in rows
        ]

    def host_names(self, site: str) -> dict[str, str]:
        """Host id -> name in the site's directory, for pages and lists that show hosts."""
        return {host["id"]: host["name"] for host in self.hosts(site)}

    def import_hosts(self, site: str, hosts: Iterable[Host]) -> int:
        count = 0
        with self._engine.begin() as db:
            for host in hosts:
                row = {
                    "name": host.name,
                    "department": host.department,
                    "email": host.email,
                    "notify": json.dumps(list(host.notify)),
                    "language": host.language,
                    "active": host.active,
                    "company_id": host.company_id,
                }
                where = (t.hosts.c.site == site) & (t.hosts.c.host_id == host.id)
                if not db.execute(t.hosts.update().where(where), row).rowcount:
                    db.execute(t.hosts.insert(), {**row, "site": site, "host_id": host.id})
                count += 1
        return count

    def deny_entries(self, site: str) -> list[dict[str, Any]]:
        d = t.deny.c
        now = to_db(self._clock())
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(*(d[name] for name in DENY_FIELDS))
                .where(
                    d.site == site,
                    d.removed_at.is_(None),
                    sa.or_(d.expires_at.is_(None), d.expires_at > now),
                )
                .order_by(d.created_at)
            ).all()
        return [dict(row._mapping) for row in rows]

    def update_deny(
        self, kiosk: KioskIdentity, entries: Sequence[Mapping[str, Any]], removed: Sequence[str]
    ) -> None:
        """Entries a kiosk's staff added (upserted by id) and ids they removed, for the site."""
        now = to_db(self._clock())
        with self._engine.begin() as db:
            for entry in entries:
                row = deny_row(entry, kiosk)
                where = (t.deny.c.deny_id == row["deny_id"]) & (t.deny.c.site == kiosk.site)
                if not db.execute(t.deny.update().where(where), row).rowcount:
                    db.execute(t.deny.insert(), {**row, "site": kiosk.site})
            if removed:
                ids = [clean_text("removed deny_id", deny_id, 64) for deny_id in removed]
                db.execute(
                    t.deny.update()
                    .where(t.deny.c.site == kiosk.site, t.deny.c.deny_id.in_(ids))
                    .values(removed_at=now)
                )

    # -- erasure and retention -----------------------------------------------------------------

    def erase(self, kiosk: KioskIdentity, receipt: str, visit_ids: Sequence[str]) -> dict[str, Any]:
        """Erase visits of the kiosk's site on a person's request; the receipt makes it
        idempotent and a tombstone stops a late replay from bringing a visit back."""
        now = self._clock()
        clean_text("receipt", receipt, 64)
        with self._engine.begin() as db:
            done = db.execute(
                sa.select(t.erasures.c.erased, t.erasures.c.kiosk_id).where(
                    t.erasures.c.receipt == receipt
                )
            ).first()
            if done is not None:
                if done.kiosk_id != kiosk.kiosk_id:  # says nothing of another kiosk's request
                    raise ReceiptInUseError("this receipt id is already in use; choose another")
                return {"receipt": receipt, "erased": int(done.erased), "replayed": True}
            ids = [clean_text("visit_id", visit_id, 64) for visit_id in visit_ids]
            erased = bury(db, kiosk.site, ids, to_db(now + self.max_retention))
            db.execute(
                t.erasures.insert(),
                {
                    "receipt": receipt,
                    "kiosk_id": kiosk.kiosk_id,
                    "received_at": to_db(now),
                    "erased": erased,
                },
            )
        self._reclaim_space()
        return {"receipt": receipt, "erased": erased}

    def purge(self, now: datetime | None = None) -> dict[str, int]:
        """Delete everything past its time, in chunks so ingest never waits long on it."""
        at = now or self._clock()
        moment = to_db(at)
        receipts_before = to_db(at - timedelta(days=ERASURE_RECEIPT_DAYS))
        counts = {
            "visits": self._purge_chunks(t.visits, t.visits.c.purge_after, moment),
            "receipts": self._purge_chunks(t.receipts, t.receipts.c.purge_after, moment),
            "tombstones": self._purge_chunks(t.tombstones, t.tombstones.c.until, moment),
            "erasures": self._purge_chunks(t.erasures, t.erasures.c.received_at, receipts_before),
            "deny": self._purge_chunks(t.deny, t.deny.c.expires_at, moment),
            # an invitation holds a name and an email; once its window ended, for nothing
            "invitations": self._purge_chunks(t.invitations, t.invitations.c.ends_at, moment),
        }
        with self._engine.begin() as db:
            counts["deny"] += db.execute(
                t.deny.delete().where(t.deny.c.removed_at.is_not(None))
            ).rowcount
            # deny-list alerts are for the front desk on the day
            counts["alerts"] = db.execute(
                t.alerts.delete().where(t.alerts.c.at < to_db(at - timedelta(days=2)))
            ).rowcount
        if any(counts.values()):
            self._reclaim_space()
        return counts

    def _purge_chunks(self, table: sa.Table, due: sa.Column[Any], moment: str) -> int:
        """Delete the table's rows due by ``moment``, a time-sized chunk per transaction (ingest
        waits about one at most). A chunk is picked and deleted inside the database by the row's
        own address, and only rows still due go: a row that shares an expired row's key
        (another site's visit under the same id) stays. On PostgreSQL the addresses go in as an
        array: as a primary-key IN, or a ctid IN above ~3,000 rows, the planner scanned the
        whole table for every chunk (14-80 ms a chunk instead of 1-10)."""
        statement = chunk_delete(self._engine.dialect.name, table, due)
        target = PURGE_TRANSACTION[self._engine.dialect.name]
        total, size, since_checkpoint = 0, PURGE_CHUNK, 0
        bound = PURGE_CHECKPOINT_ROWS // 2  # until the pages a row of this table takes are seen
        while True:
            self._give_way.wait_for_batches(PURGE_GIVES_WAY)
            with self._engine.begin() as db:
                started = time.perf_counter()  # its turn came: the wait for it is not its size
                walk_the_deadline_index(db)
                deleted = db.execute(statement, {"moment": moment, "size": size}).rowcount
            took = time.perf_counter() - started  # the commit included
            if not deleted:
                return total
            total += deleted
            since_checkpoint += deleted
            size = next_chunk_size(size, took, target, PURGE_CHUNK // 10, PURGE_CHUNK * 40)
            # Before the chunk that would take the WAL past its bound, not after it: checked
            # after, a quick moment's big chunk (7,000 rows) on top of 7,999 took it to 1,032
            # pages, past the 1,000 at which SQLite copies it back inside a commit.
            if since_checkpoint + size > bound:
                pages = checkpoint_between_chunks(self._engine)
                bound = rows_for_wal_pages(since_checkpoint, pages)
                since_checkpoint = 0

    def _reclaim_space(self) -> None:
        reclaim_space(self._engine)

    def health(self) -> dict[str, Any]:
        with self._engine.connect() as db:
            version = db.execute(sa.select(sa.func.max(t.schema_version.c.version))).scalar()
        return {"status": "ok", "schema": int(version or 0), "time": to_db(self._clock())}


def rows_for_wal_pages(rows: int, pages: int) -> int:
    """The rows to delete before the next checkpoint: as many as take ``PURGE_WAL_PAGES`` at the
    pages a row took since the last (``pages`` for ``rows``), ``PURGE_CHECKPOINT_ROWS`` at most."""
    if pages <= 0 or rows <= 0:
        return PURGE_CHECKPOINT_ROWS
    return max(PURGE_CHUNK, min(PURGE_CHECKPOINT_ROWS, rows * PURGE_WAL_PAGES // pages))


def chunk_delete(dialect: str, table: sa.Table, due: sa.Column[Any]) -> sa.TextClause:
    """One purge chunk: up to ``:size`` of the table's rows due by ``:moment``."""
    picked = _CHUNK_PICKED_BY[dialect].format(table=table.name, due=due.name)
    return sa.text(f"DELETE FROM {table.name} WHERE {picked} AND {due.name} <= :moment")  # noqa: S608


def walk_the_deadline_index(db: sa.Connection) -> None:
    """Makes the chunk in this transaction find its rows by the deadline's index (see above)."""
    for setting in _CHUNK_SETTINGS[db.dialect.name]:
        db.exec_driver_sql(setting)
