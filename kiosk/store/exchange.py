"""What this kiosk exchanges with the hub besides visits: the host directory, check-outs of
other kiosks' visits, the sync cursor and batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from kiosk.models import Host
from kiosk.store import rows as convert
from kiosk.store.base import (
    Database,
)
from kiosk.store.sql import (
    _UPSERT_HOST,
)
from kiosk.timeutil import to_db

_HOST_COLUMNS = "id, name, department, email, notify, language, active, company_id"
_SET_SYNC_VALUE = "INSERT OR REPLACE INTO sync_state (name, value) VALUES (?, ?)"
_HUB_DIRECTORY_TAG = "hosts_tag"  # sync_state's name for the hub's tag of the host directory


class ExchangeRows(Database):
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
            db.execute(_SET_SYNC_VALUE, [name, value])

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

    def hosts(self) -> list[Host]:
        return [convert.host(row) for row in self._rows("SELECT * FROM hosts ORDER BY name, id")]

    def hub_directory_tag(self) -> str:
        """The hub's tag of the host directory last taken from it ("" if none, or if hosts were
        imported here since)."""
        return self.sync_value(_HUB_DIRECTORY_TAG)

    def upsert_hosts(self, hosts: Sequence[Host], hub_tag: str = "") -> tuple[int, int]:
        """Add or update hosts by id in one transaction; returns (added, updated), where only a
        host that differs from the stored one is updated (or written at all): 5,000 unchanged
        hosts rewritten held the store 45 ms.

        ``hub_tag``: the hub's tag of the directory these hosts are, kept with them so the next
        sync asks for the directory only if it changed since. An import here passes none and so
        forgets the tag: the next sync takes the hub's directory over it again, as it did before
        the hub tagged it."""
        with self._lock:  # as tuples, in ``host_row``'s order: the store is held ~5 ms, not ~15
            read = self._db.execute(f"SELECT {_HOST_COLUMNS} FROM hosts")  # noqa: S608
            stored = {row[0]: row for row in read}
            known_tag = self.hub_directory_tag()
        rows = [convert.host_row(host) for host in hosts]
        new = [row for row in rows if row["id"] not in stored]
        changed = [
            row for row in rows if row["id"] in stored and tuple(row.values()) != stored[row["id"]]
        ]
        if new or changed or hub_tag != known_tag:
            with self._transaction() as db:
                db.conn.executemany(_UPSERT_HOST, [*new, *changed])
                db.execute(_SET_SYNC_VALUE, [_HUB_DIRECTORY_TAG, hub_tag])
        return len(new), len(changed)
