"""The hash-chained audit trail's rows (``kiosk.audit`` seals and verifies them)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kiosk.store.base import Database, _append_audit
from kiosk.store.checkins import Sealer
from kiosk.timeutil import to_db


class AuditRows(Database):
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
