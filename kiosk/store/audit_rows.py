"""The hash-chained audit trail's rows (``kiosk.audit`` seals and verifies them)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from itertools import takewhile
from typing import Any

from kiosk.store.base import PURGE_CHUNK, Database, _append_audit
from kiosk.store.checkins import Sealer
from kiosk.timeutil import to_db

AUDIT_PAGE = 1_000  # entries read at a time when the whole trail is read (``kiosk audit verify``)


class AuditRows(Database):
    def append_audit(self, entry: Mapping[str, str], seal: Sealer) -> None:
        """Add one audit row; ``seal(prev_hash, entry)`` makes its hash inside the same lock,
        so two threads never chain onto the same predecessor."""
        with self._transaction() as db:
            _append_audit(db, entry, seal)

    def audit_rows(self) -> Iterator[dict[str, Any]]:
        """The whole trail, oldest first, read a page at a time: a year's trail held whole was
        ~430 MB. Each page is read under the store's lock, and the lock is let go between pages
        (entries added meanwhile come last)."""
        after = 0
        while page := self._rows(
            "SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?", [after, AUDIT_PAGE]
        ):
            yield from page
            after = page[-1]["id"]

    def last_audit_entry(self, action: str) -> dict[str, Any] | None:
        """The latest entry of one action (by ``audit_by_action``, not by reading the trail)."""
        rows = self._rows("SELECT * FROM audit WHERE action = ? ORDER BY id DESC LIMIT 1", [action])
        return rows[0] if rows else None

    def audit_anchor(self) -> str:
        rows = self._rows("SELECT hash FROM audit_anchor WHERE id = 1")
        return str(rows[0]["hash"]) if rows else ""

    def purge_audit_before(self, cutoff: datetime, limit: int = PURGE_CHUNK) -> int:
        """Drop up to ``limit`` of the oldest entries from before ``cutoff``, in one short
        transaction; the last one dropped anchors the rest. Returns how many went (0: none is
        left). The trail is in time order, so it is read from its oldest entry and only as far
        as the first one to keep: looked for from the newest, each hourly purge read the whole
        kept trail (57-65 ms on a year's, holding the store), and the first purge of a long
        trail deleted all of it in one transaction."""
        keep_from = to_db(cutoff)
        with self._transaction() as db:
            oldest = list(db.query("SELECT id, at, hash FROM audit ORDER BY id LIMIT ?", [limit]))
            gone = list(takewhile(lambda row: row["at"] < keep_from, oldest))
            if not gone:
                return 0
            db.execute(
                "INSERT INTO audit_anchor (id, hash) VALUES (1, ?) "
                "ON CONFLICT (id) DO UPDATE SET hash = excluded.hash",
                [gone[-1]["hash"]],
            )
            db.execute("DELETE FROM audit WHERE id <= ?", [gone[-1]["id"]])
            return len(gone)

    def audit_count(self, action: str, record: str) -> int:
        """How often an action was taken on a record (a print's "printed before?")."""
        rows = self._rows(
            "SELECT count(*) AS n FROM audit WHERE action = ? AND record = ?", [action, record]
        )
        return int(rows[0]["n"])
