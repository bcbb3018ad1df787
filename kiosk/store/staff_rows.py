"""Staff members (PIN hashes only), the PIN lockout, and alerts for staff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from kiosk.store.base import (
    Database,
)
from kiosk.timeutil import from_db, to_db


class StaffRows(Database):
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

    def add_alert(self, now: datetime, kind: str, deny_id: str, visit_id: str | None) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO staff_alerts (at, kind, deny_id, visit_id) VALUES (?, ?, ?, ?)",
                [to_db(now), kind, deny_id, visit_id],
            )

    def alerts(self, unseen_only: bool = True) -> list[dict[str, Any]]:
        where = "WHERE seen_at IS NULL" if unseen_only else ""
        return self._rows(f"SELECT * FROM staff_alerts {where} ORDER BY id")  # noqa: S608

    def alerts_after(self, alert_id: int, limit: int = 500) -> list[dict[str, Any]]:
        """Alerts newer than ``alert_id`` (for the hub: ids, times, kinds, deny ids, visit ids;
        never a name)."""
        return self._rows(
            "SELECT id, at, kind, deny_id, visit_id FROM staff_alerts WHERE id > ? "
            "ORDER BY id LIMIT ?",
            [alert_id, limit],
        )

    def mark_alerts_seen(self, now: datetime) -> None:
        with self._transaction() as db:
            db.execute("UPDATE staff_alerts SET seen_at = ? WHERE seen_at IS NULL", [to_db(now)])
