"""The only module that speaks SQL: one SQLite file, opened for durability and real deletion.

Settings and why:
- WAL with ``synchronous=FULL``: a check-in the guest saw confirmed survives a power cut.
- ``secure_delete=ON``: deleted personal data is overwritten in the file, not left in free pages.
- ``foreign_keys=ON``: erasing a visit cascades to its acknowledgement and outbox rows.
- After a purge the WAL is checkpointed and truncated, so old page images with names are gone too.

One connection is shared by the GUI's worker threads, so every public method holds a lock.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.models import Host, NoticeVersion, Visit
from kiosk.store import rows as convert
from kiosk.store.checkins import CheckinRecord, Sealer, write_checkin
from kiosk.store.connection import Connection
from kiosk.store.schema import MIGRATIONS
from kiosk.store.sql import (
    _ALL_VISITS,
    _DELETE_ACKNOWLEDGEMENTS_OF,
    _DELETE_OUTBOX_OF,
    _DELETE_VISITS,
    _INSERT_NOTICE,
    _INSERT_OUTBOX,
    _ON_SITE_VISITS,
    _UPSERT_HOST,
)
from kiosk.timeutil import from_db, to_db

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


class Store:
    """Visits, notice versions, acknowledgements, the outbox and anonymised counts."""

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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self._lock, self._db.atomic():
            yield self._db

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._db.query(sql, params))

    # -- schema --------------------------------------------------------------------------------

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

    # -- notices -------------------------------------------------------------------------------

    def save_notice(self, notice: NoticeVersion, shown_at: datetime) -> None:
        """Keep every notice version ever shown, so an acknowledgement can be shown later."""
        with self._transaction() as db:
            db.execute(_INSERT_NOTICE, convert.notice_row(notice, shown_at))

    def notice(self, version: str) -> NoticeVersion | None:
        rows = self._rows("SELECT * FROM notices WHERE version = ?", [version])
        return (
            NoticeVersion(rows[0]["version"], rows[0]["language"], rows[0]["text"])
            if rows
            else None
        )

    def notice_versions(self) -> list[str]:
        return [row["version"] for row in self._rows("SELECT version FROM notices ORDER BY rowid")]

    # -- check-in ------------------------------------------------------------------------------

    def record_checkin(self, record: CheckinRecord) -> bool:
        """A check-in, all or nothing (see ``kiosk.store.checkins``); True if it used its
        invitation."""
        with self._transaction() as db:
            return write_checkin(db, record, _append_audit)

    def visit(self, visit_id: str) -> Visit | None:
        rows = self._rows("SELECT * FROM visits WHERE id = ?", [visit_id])
        return convert.visit(rows[0]) if rows else None

    def visits_by_id(self, visit_ids: Sequence[str]) -> dict[str, Visit]:
        """Many visits in one read (a sync batch); ids that are gone are simply missing."""
        rows = self._rows(
            "SELECT * FROM visits WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(list(visit_ids))],
        )
        return {row["id"]: convert.visit(row) for row in rows}

    def visits(self, on_site_only: bool = False) -> list[Visit]:
        sql = _ON_SITE_VISITS if on_site_only else _ALL_VISITS
        return [convert.visit(row) for row in self._rows(sql)]

    def acknowledgement(self, visit_id: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM acknowledgements WHERE visit_id = ?", [visit_id])
        return rows[0] if rows else None

    def pending_outbox(self, kind: str, visit_id: str | None = None) -> list[dict[str, Any]]:
        """Jobs of one kind not yet done, oldest first; optionally only one visit's."""
        sql = "SELECT * FROM outbox WHERE kind = ? AND done_at IS NULL"
        params: list[Any] = [kind]
        if visit_id is not None:
            sql += " AND visit_id = ?"
            params.append(visit_id)
        return self._rows(sql + " ORDER BY id", params)

    def enqueue(
        self, visit_id: str, kind: str, now: datetime, expires: datetime | None = None
    ) -> None:
        with self._transaction() as db:
            db.execute(
                _INSERT_OUTBOX, [visit_id, kind, to_db(now), to_db(expires) if expires else None]
            )

    def due_outbox(self, kind: str, now: datetime) -> list[dict[str, Any]]:
        """Jobs of ``kind`` whose next attempt is due, oldest first."""
        return self._rows(
            "SELECT * FROM outbox WHERE kind = ? AND done_at IS NULL "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id",
            [kind, to_db(now)],
        )

    def retry_outbox(self, row_id: int, error: str, next_attempt: datetime) -> None:
        """Count a failed attempt, say why (never with personal data), and when to try again."""
        with self._transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
                "WHERE id = ?",
                [error, to_db(next_attempt), row_id],
            )

    def retry_outbox_many(self, row_ids: Sequence[int], error: str, next_attempt: datetime) -> None:
        """``retry_outbox`` for a whole sync batch in one transaction."""
        with self._transaction() as db:
            db.conn.executemany(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
                "WHERE id = ?",
                [(error, to_db(next_attempt), row_id) for row_id in row_ids],
            )

    def give_up_outbox(self, row_id: int, now: datetime, reason: str) -> None:
        """Stop trying: the job is closed, and the reason stays visible to staff."""
        with self._transaction() as db:
            db.execute(
                "UPDATE outbox SET done_at = ?, last_error = ? WHERE id = ?",
                [to_db(now), f"gave up: {reason}", row_id],
            )

    def outbox_overview(self) -> list[dict[str, Any]]:
        """Every open job and every job that was given up, for ``kiosk outbox`` and staff."""
        return self._rows(
            "SELECT id, visit_id, kind, created_at, attempts, last_error, next_attempt_at, "
            "expires_at, done_at FROM outbox WHERE done_at IS NULL OR last_error IS NOT NULL "
            "ORDER BY id"
        )

    def finish_outbox(self, row_id: int, now: datetime, error: str = "") -> None:
        """Mark an outbox job done, or count a failed attempt with its reason (no personal data)."""
        with self._transaction() as db:
            if error:
                db.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                    [error, row_id],
                )
            else:
                db.execute(
                    "UPDATE outbox SET attempts = attempts + 1, done_at = ?, last_error = NULL "
                    "WHERE id = ?",
                    [to_db(now), row_id],
                )

    def purge_finished_outbox(self, done_before: datetime) -> int:
        """Delete jobs that succeeded before ``done_before``: nothing reads them again (a reprint
        queues a new job), and a kiosk that keeps them grows its store by two rows a guest.
        Jobs given up keep their reason for staff until the visit itself is purged."""
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM outbox WHERE done_at IS NOT NULL AND last_error IS NULL "
                "AND done_at < ?",
                [to_db(done_before)],
            )
            return int(cursor.rowcount)

    def finish_outbox_many(self, row_ids: Sequence[int], now: datetime) -> None:
        """Mark a batch of jobs done in one commit (a hub batch answered at once)."""
        with self._transaction() as db:
            db.conn.executemany(
                "UPDATE outbox SET attempts = attempts + 1, done_at = ?, last_error = NULL "
                "WHERE id = ?",
                [(to_db(now), row_id) for row_id in row_ids],
            )

    def daily_counts(self) -> list[dict[str, Any]]:
        """Anonymous visits per day, site and purpose (all departments together)."""
        return self._rows(
            "SELECT day, site, purpose, sum(count) AS count FROM visit_counts "
            "GROUP BY day, site, purpose ORDER BY day, purpose"
        )

    def counts_between(self, first_day: str, last_day: str) -> list[dict[str, Any]]:
        """Anonymous counts per day, purpose and department, for reports."""
        return self._rows(
            "SELECT day, purpose, department, sum(count) AS count FROM visit_counts "
            "WHERE day BETWEEN ? AND ? GROUP BY day, purpose, department ORDER BY day",
            [first_day, last_day],
        )

    # -- audit trail ---------------------------------------------------------------------------

    def append_audit(self, entry: Mapping[str, str], seal: Sealer) -> None:
        """Add one audit row; ``seal(prev_hash, entry)`` makes its hash inside the same lock,
        so two threads never chain onto the same predecessor."""
        with self._transaction() as db:
            _append_audit(db, entry, seal)

    def audit_rows(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM audit ORDER BY id")

    def audit_anchor(self) -> str:
        rows = self._rows("SELECT hash FROM audit_anchor WHERE id = 1")
        return str(rows[0]["hash"]) if rows else ""

    def purge_audit_before(self, cutoff: datetime) -> int:
        """Drop entries older than ``cutoff``; the last dropped hash anchors the rest."""
        with self._transaction() as db:
            last = list(
                db.query(
                    "SELECT id, hash FROM audit WHERE at < ? ORDER BY id DESC LIMIT 1",
                    [to_db(cutoff)],
                )
            )
            if not last:
                return 0
            db.execute(
                "INSERT INTO audit_anchor (id, hash) VALUES (1, ?) "
                "ON CONFLICT (id) DO UPDATE SET hash = excluded.hash",
                [last[0]["hash"]],
            )
            cursor = db.execute("DELETE FROM audit WHERE id <= ?", [last[0]["id"]])
            return int(cursor.rowcount)

    def audit_count(self, action: str, record: str) -> int:
        rows = self._rows(
            "SELECT count(*) AS n FROM audit WHERE action = ? AND record = ?", [action, record]
        )
        return int(rows[0]["n"])

    # -- staff -----------------------------------------------------------------------------------

    def add_staff(self, staff_id: str, name: str, salt: str, pin_hash: str, now: datetime) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO staff (id, name, salt, pin_hash, created_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET name = excluded.name, salt = excluded.salt, "
                "pin_hash = excluded.pin_hash",
                [staff_id, name, salt, pin_hash, to_db(now)],
            )

    def staff(self) -> list[dict[str, Any]]:
        return self._rows("SELECT id, name, salt, pin_hash FROM staff ORDER BY id")

    def lockout(self) -> tuple[int, datetime | None]:
        rows = self._rows("SELECT failures, locked_until FROM staff_lockout WHERE id = 1")
        if not rows:
            return 0, None
        until = rows[0]["locked_until"]
        return int(rows[0]["failures"]), from_db(until) if until else None

    def claim_pin_attempt(
        self, now: datetime, lock_after: Callable[[int], datetime | None]
    ) -> tuple[int, datetime | None]:
        """Count one more PIN attempt before it is checked, in one write transaction: returns
        (attempts in a row including this one, 0 if refused; the time a lock ends, if locked).
        ``lock_after(failures)`` says until when this attempt, if wrong, locks the PIN pad; the
        lock is set now, pessimistically, and lifted by a correct PIN. Read-check-write in
        separate steps let eight processes make 24 guesses with no lock."""
        with self._lock:
            conn = self._db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    "INSERT OR IGNORE INTO staff_lockout (id, failures, locked_until) "
                    "VALUES (1, 0, NULL)"
                )
                failures, until = conn.execute(
                    "SELECT failures, locked_until FROM staff_lockout WHERE id = 1"
                ).fetchone()
                if until and now < from_db(until):
                    conn.execute("COMMIT")
                    return 0, from_db(until)
                lock = lock_after(int(failures) + 1)
                conn.execute(
                    "UPDATE staff_lockout SET failures = failures + 1, locked_until = ? "
                    "WHERE id = 1",
                    [to_db(lock) if lock else None],
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return int(failures) + 1, None

    def set_lockout(self, failures: int, locked_until: datetime | None) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO staff_lockout (id, failures, locked_until) VALUES (1, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET failures = excluded.failures, "
                "locked_until = excluded.locked_until",
                [failures, to_db(locked_until) if locked_until else None],
            )

    # -- deny list and staff alerts -----------------------------------------------------------

    def add_deny(self, entry: Mapping[str, str | None]) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO deny_list (id, name_hash, name_tokens_hash, email_hash, "
                "email_local_hash, reason, created_at, expires_at, created_by) VALUES (:id, "
                ":name_hash, :name_tokens_hash, :email_hash, :email_local_hash, :reason, "
                ":created_at, :expires_at, :created_by)",
                dict(entry),
            )

    def remove_deny(self, deny_id: str, now: datetime) -> bool:
        """Delete an entry; the removal is remembered until the hub has heard of it."""
        with self._transaction() as db:
            removed = int(db.execute("DELETE FROM deny_list WHERE id = ?", [deny_id]).rowcount)
            if removed:
                db.execute(
                    "INSERT OR REPLACE INTO deny_removals (id, removed_at) VALUES (?, ?)",
                    [deny_id, to_db(now)],
                )
            return removed == 1

    def unpushed_deny(self) -> tuple[list[dict[str, Any]], list[str]]:
        """Entries and removals made here that the hub has not acknowledged yet."""
        entries = self._rows("SELECT * FROM deny_list WHERE pushed_at IS NULL ORDER BY created_at")
        removed = self._rows("SELECT id FROM deny_removals WHERE pushed_at IS NULL")
        return entries, [row["id"] for row in removed]

    def deny_pushed(self, ids: Sequence[str], removed: Sequence[str], now: datetime) -> None:
        with self._transaction() as db:
            for deny_id in ids:
                db.execute("UPDATE deny_list SET pushed_at = ? WHERE id = ?", [to_db(now), deny_id])
            for deny_id in removed:
                db.execute("DELETE FROM deny_removals WHERE id = ?", [deny_id])

    def replace_shared_deny(self, entries: Sequence[Mapping[str, Any]], now: datetime) -> int:
        """Make the shared entries exactly the hub's list: add new ones, drop ones removed or
        expired elsewhere; entries not yet pushed from here stay. Returns entries added."""
        wanted = {entry["id"]: entry for entry in entries}
        with self._transaction() as db:
            shared = [
                row[0] for row in db.execute("SELECT id FROM deny_list WHERE pushed_at IS NOT NULL")
            ]
            for deny_id in set(shared) - set(wanted):
                db.execute("DELETE FROM deny_list WHERE id = ?", [deny_id])
            added = 0
            for deny_id, entry in wanted.items():
                if deny_id in shared:
                    continue
                db.execute(
                    "INSERT OR IGNORE INTO deny_list (id, name_hash, name_tokens_hash, email_hash, "
                    "email_local_hash, reason, created_at, expires_at, created_by, pushed_at) "
                    "VALUES (:id, :name_hash, :name_tokens_hash, :email_hash, :email_local_hash, "
                    ":reason, :created_at, :expires_at, :created_by, :pushed_at)",
                    {**entry, "pushed_at": to_db(now)},
                )
                added += 1
            return added

    # -- what this kiosk exchanges with the hub beyond its own visits ----------------------------

    def record_remote_checkout(self, visit_id: str, now: datetime, staff: str) -> bool:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO remote_checkouts (visit_id, checked_out_at, staff) "
                "VALUES (?, ?, ?)",
                [visit_id, to_db(now), staff],
            )
            return int(cursor.rowcount) == 1

    def unsent_remote_checkouts(self) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT * FROM remote_checkouts WHERE sent_at IS NULL ORDER BY checked_out_at"
        )

    def remote_checkout_done(self, visit_id: str, now: datetime, error: str = "") -> None:
        """Sent (or refused, with the hub's reason): either way the hub's answer is final."""
        with self._transaction() as db:
            db.execute(
                "UPDATE remote_checkouts SET sent_at = ?, last_error = ? WHERE visit_id = ?",
                [to_db(now), error or None, visit_id],
            )

    def purge_remote_checkouts(self, before: datetime) -> int:
        """Check-outs of other kiosks' visits the hub answered before ``before`` (unsent ones
        stay until the hub has them)."""
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM remote_checkouts WHERE sent_at IS NOT NULL AND sent_at <= ?",
                [to_db(before)],
            )
            return int(cursor.rowcount)

    def sync_value(self, name: str, default: str = "") -> str:
        rows = self._rows("SELECT value FROM sync_state WHERE name = ?", [name])
        return str(rows[0]["value"]) if rows else default

    def set_sync_value(self, name: str, value: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO sync_state (name, value) VALUES (?, ?)", [name, value]
            )

    def pending_sync_batch(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """The oldest open sync jobs, in order, once the oldest is due: events reach the hub in
        the order they happened, also after a long outage."""
        head = self._rows(
            "SELECT next_attempt_at FROM outbox WHERE kind = 'sync' AND done_at IS NULL "
            "ORDER BY id LIMIT 1"
        )
        if not head or (head[0]["next_attempt_at"] or "") > to_db(now):
            return []
        return self._rows(
            "SELECT * FROM outbox WHERE kind = 'sync' AND done_at IS NULL ORDER BY id LIMIT ?",
            [limit],
        )

    def deny_entries(self, now: datetime) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT * FROM deny_list WHERE expires_at IS NULL OR expires_at > ? "
            "ORDER BY created_at",
            [to_db(now)],
        )

    def purge_expired_denials(self, now: datetime, alerts_before: datetime) -> int:
        """Expired deny entries, and staff alerts older than the visits they are about."""
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM deny_list WHERE expires_at <= ?", [to_db(now)])
            db.execute("DELETE FROM staff_alerts WHERE at < ?", [to_db(alerts_before)])
            return int(cursor.rowcount)

    def add_alert(self, now: datetime, kind: str, deny_id: str, visit_id: str | None) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO staff_alerts (at, kind, deny_id, visit_id) VALUES (?, ?, ?, ?)",
                [to_db(now), kind, deny_id, visit_id],
            )

    def alerts(self, unseen_only: bool = True) -> list[dict[str, Any]]:
        where = "WHERE seen_at IS NULL" if unseen_only else ""
        return self._rows(f"SELECT * FROM staff_alerts {where} ORDER BY id")  # noqa: S608

    def mark_alerts_seen(self, now: datetime) -> None:
        with self._transaction() as db:
            db.execute("UPDATE staff_alerts SET seen_at = ? WHERE seen_at IS NULL", [to_db(now)])

    # -- invitations ---------------------------------------------------------------------------

    def add_invitation(self, row: Mapping[str, str]) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO invitations (code, name, email, host_id, starts_at, ends_at, "
                "created_at, created_by) VALUES (:code, :name, :email, :host_id, :starts_at, "
                ":ends_at, :created_at, :created_by)",
                dict(row),
            )

    def invitation(self, code: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM invitations WHERE code = ?", [code])
        return rows[0] if rows else None

    def invitations(self) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT code, host_id, starts_at, ends_at, created_by, used_by_visit "
            "FROM invitations ORDER BY starts_at"
        )

    def use_invitation(self, code: str, visit_id: str) -> bool:
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE invitations SET used_by_visit = ? WHERE code = ? AND used_by_visit IS NULL",
                [visit_id, code],
            )
            return int(cursor.rowcount) == 1

    def purge_invitations(self, now: datetime) -> int:
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM invitations WHERE ends_at <= ?", [to_db(now)])
            return int(cursor.rowcount)

    # -- host directory ------------------------------------------------------------------------

    def hosts(self) -> list[Host]:
        return [convert.host(row) for row in self._rows("SELECT * FROM hosts ORDER BY name, id")]

    def upsert_hosts(self, hosts: Sequence[Host]) -> tuple[int, int]:
        """Add or update hosts by id in one transaction; returns (added, updated)."""
        known = {row["id"] for row in self._rows("SELECT id FROM hosts")}
        with self._transaction() as db:
            for host in hosts:
                db.execute(_UPSERT_HOST, convert.host_row(host))
        added = sum(1 for host in hosts if host.id not in known)
        return added, len(hosts) - added

    # -- check-out and revocation --------------------------------------------------------------

    def check_out(
        self, visit_id: str, now: datetime, kind: str, token_expires: datetime, sync: bool = False
    ) -> bool:
        """Mark a visit checked out and revoke its badge; False if it was not on site."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE visits SET checked_out_at = ?, checkout_kind = ? "
                "WHERE id = ? AND checked_out_at IS NULL",
                [to_db(now), kind, visit_id],
            )
            if cursor.rowcount != 1:
                return False
            db.execute(
                "INSERT OR IGNORE INTO revocations (visit_id, revoked_at, purge_after) "
                "VALUES (?, ?, ?)",
                [visit_id, to_db(now), to_db(max(token_expires, now))],
            )
            if sync:
                db.execute(
                    "INSERT INTO outbox (visit_id, kind, created_at, attempts, event) "
                    "VALUES (?, 'sync', ?, 0, 'checkout')",
                    [visit_id, to_db(now)],
                )
            return True

    def is_revoked(self, visit_id: str) -> bool:
        rows = self._rows("SELECT 1 FROM revocations WHERE visit_id = ?", [visit_id])
        return bool(rows)

    def purge_revocations(self, now: datetime) -> int:
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM revocations WHERE purge_after <= ?", [to_db(now)])
            return int(cursor.rowcount)

    # -- retention -----------------------------------------------------------------------------

    def expired_visit_ids(self, now: datetime, limit: int = PURGE_CHUNK) -> list[str]:
        with self._lock:
            cursor = self._db.execute(
                "SELECT id FROM visits WHERE purge_after <= ? ORDER BY purge_after LIMIT ?",
                [to_db(now), limit],
            )
            return [row[0] for row in cursor]

    def erase_expired_fields(self, now: datetime, limit: int = PURGE_CHUNK) -> int:
        """Blank emails and notes whose own, shorter retention ended; one small transaction.
        Returns how many fields were erased (0 when nothing is left to do)."""
        erased = 0
        with self._transaction() as db:
            for column, deadline in (
                ("email", "email_purge_after"),
                ("purpose_text", "notes_purge_after"),
            ):
                cursor = db.execute(
                    f"UPDATE visits SET {column} = '', {deadline} = NULL WHERE id IN ("  # noqa: S608
                    f"SELECT id FROM visits WHERE {deadline} <= ? LIMIT ?)",
                    [to_db(now), limit],
                )
                erased += int(cursor.rowcount)
        return erased

    def erase_visits(self, visit_ids: Sequence[str]) -> int:
        """Delete whole visit rows with their acknowledgements and outbox rows, in one
        transaction.

        The children are deleted here, by the same list, so the foreign-key checks are switched
        off for this transaction alone (under the store's lock, so no other statement runs
        without them): with them on, SQLite looks every deleted visit up again in both child
        tables, which was a quarter of the purge's time."""
        if not visit_ids:
            return 0
        ids = [json.dumps(list(visit_ids))]
        with self._lock:
            self._db.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction
            self._db.execute("PRAGMA synchronous=NORMAL")
            try:
                with self._transaction() as db:
                    db.execute(_DELETE_OUTBOX_OF, ids)
                    db.execute(_DELETE_ACKNOWLEDGEMENTS_OF, ids)
                    return int(db.execute(_DELETE_VISITS, ids).rowcount)
            finally:
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.execute("PRAGMA foreign_keys=ON")

    def record_erase_request(self, receipt: str, visit_ids: Sequence[str], now: datetime) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO erase_requests (receipt, requested_at, visit_ids) VALUES (?, ?, ?)",
                [receipt, to_db(now), json.dumps(list(visit_ids))],
            )

    def erase_requests(self, unsent_only: bool = False) -> list[dict[str, Any]]:
        where = "WHERE sent_to_hub_at IS NULL" if unsent_only else ""
        return self._rows(f"SELECT * FROM erase_requests {where} ORDER BY requested_at")  # noqa: S608

    def erase_request_sent(self, receipt: str, now: datetime) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE erase_requests SET sent_to_hub_at = ? WHERE receipt = ?",
                [to_db(now), receipt],
            )

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
        if self.path == ":memory:":
            return
        with self._checkpointer_lock:
            if self._checkpointer is None:
                self._checkpointer = sqlite3.connect(
                    self.path, check_same_thread=False, timeout=10, isolation_level=None
                )
                self._checkpointer.execute("PRAGMA synchronous=FULL")
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")
