"""The only module that speaks SQL: one SQLite file, opened for durability and real deletion.

Settings and why:
- WAL with ``synchronous=FULL``: a check-in the guest saw confirmed survives a power cut.
- ``secure_delete=ON``: deleted personal data is overwritten in the file, not left in free pages.
- ``foreign_keys=ON``: erasing a visit cascades to its outbox rows (its acknowledgement is on
  the visit's own row).
- After a purge the WAL is checkpointed and truncated, so old page images with names are gone too.

One connection is shared by the GUI's worker threads, so every public method holds a lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from kiosk.give_way import GiveWay
from kiosk.store.checkins import Sealer
from kiosk.store.connection import Connection
from kiosk.store.schema import MIGRATIONS
from kiosk.timeutil import to_db

PURGE_CHUNK = 500
AUTOCHECKPOINT_PAGES = 10_000


def _append_audit(db: Connection, entry: Mapping[str, str], seal: Sealer) -> None:
    last = list(db.query("SELECT hash FROM audit ORDER BY id DESC LIMIT 1"))
    prev = last[0]["hash"] if last else ""
    db.execute(
        "INSERT INTO audit (at, action, actor, record, detail, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            entry["at"],
            entry["action"],
            entry["actor"],
            entry["record"],
            entry["detail"],
            prev,
            seal(prev, entry),
        ],
    )


class StoreError(sqlite3.DatabaseError):
    """The file at the store's path is not a Lobby Kiosk store; nothing was changed."""


def _refuse_empty_file(path: Path) -> None:
    """A store truncated to zero bytes (a full disk, a bad copy) must not silently become a new,
    empty store: the visits it held, and their retention deadlines, would be forgotten."""
    if path.exists() and path.stat().st_size == 0:
        raise StoreError(
            f"{path} is empty (0 bytes), so it is not a Lobby Kiosk store. Restore it from a "
            "backup, or move it away to start a new store."
        )


def _refuse_foreign_database(conn: sqlite3.Connection, path: str) -> None:
    """Another program's SQLite file is left alone rather than filled with our tables."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if tables and "schema_migrations" not in tables:
        conn.close()
        raise StoreError(
            f"{path} holds another program's database, not a Lobby Kiosk store; "
            "choose another data directory (--data-dir)."
        )


class Database:
    """One SQLite connection, its lock and its transaction helper; the row classes build on it."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            _refuse_empty_file(Path(self.path))
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
        _refuse_foreign_database(conn, self.path)
        self._db = Connection(conn)
        self._lock = threading.RLock()
        self._checkpointer: sqlite3.Connection | None = None  # see checkpoint()
        self._checkpointer_lock = threading.Lock()
        # A guest's check-in in flight: the purge's background work waits for it (see give_way).
        self.give_way = GiveWay()
        # How long the last transaction that erased visits held the store, its wait for the lock
        # left out: the purge sizes its chunks by it.
        self.last_erase_seconds = 0.0
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA foreign_keys=ON")
        # Checkpoints are run by the kiosk in the background after each check-in (see
        # ``checkpoint``), so a guest never waits on one; this is only a safety net.
        conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
        self._migrate()

    def close(self) -> None:
        with self._checkpointer_lock:
            if self._checkpointer is not None:
                self._checkpointer.close()
                self._checkpointer = None
        with self._lock:
            self._db.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self._lock, self._db.atomic():
            yield self._db

    @contextmanager
    def manual_checkpoints(self) -> Iterator[None]:
        """For a long run of deletes (the purge): no commit runs SQLite's automatic checkpoint
        meanwhile, so a guest's check-in never pays for copying the purge's pages into the
        file (measured: single commits of 60-120 ms); the purge checkpoints as it goes."""
        with self._lock:
            self._db.conn.execute("PRAGMA wal_autocheckpoint=0")
        try:
            yield
        finally:
            with self._lock:
                self._db.conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._db.query(sql, params))

    def _migrate(self) -> None:
        with self._transaction() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, applied_at TEXT)"
            )
            done = {row["version"] for row in db.query("SELECT version FROM schema_migrations")}
            for version, migration in enumerate(MIGRATIONS, start=1):
                if version not in done:
                    migration(db)
                    db.execute(
                        "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                        [version, to_db(datetime.now().astimezone())],
                    )

    def schema_version(self) -> int:
        rows = self._rows("SELECT max(version) AS v FROM schema_migrations")
        return int(rows[0]["v"] or 0)

    def pragma(self, name: str) -> Any:
        with self._lock:
            return self._db.conn.execute(f"PRAGMA {name}").fetchone()[0]

    def checkpoint(self, truncate: bool = True) -> None:
        """Copy the WAL into the main file.

        ``truncate`` also empties the WAL file, so erased rows leave no old page image behind; it
        waits for writers, so it runs on the store's connection. The cheaper passive form keeps
        the WAL short and runs on a connection of its own, without the store's lock: a guest's
        check-in goes on while it copies (WAL lets one writer and a checkpoint run at once)."""
        if truncate:
            with self._lock:
                self._db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        self._passive_checkpoint()

    def _passive_checkpoint(self) -> None:
        if self.path == ":memory:":
            return
        with self._checkpointer_lock:
            if self._checkpointer is None:
                self._checkpointer = sqlite3.connect(
                    self.path, check_same_thread=False, timeout=10, isolation_level=None
                )
                self._checkpointer.execute("PRAGMA synchronous=FULL")
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
