"""The deny list: keyed hashes only, this kiosk's entries and the site's shared ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from kiosk.store.base import (
    Database,
)
from kiosk.timeutil import to_db

DENY_HASHES = ("name_hash", "name_tokens_hash", "email_hash", "email_local_hash")


class DenyRows(Database):
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

    def deny_entries(self, now: datetime) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT * FROM deny_list WHERE expires_at IS NULL OR expires_at > ? "
            "ORDER BY created_at",
            [to_db(now)],
        )

    def deny_entries_matching(
        self, hashes: Mapping[str, str | None], now: datetime
    ) -> list[dict[str, Any]]:
        """The entries in force that share at least one of ``hashes`` (column -> keyed hash; an
        empty one matches nothing), each found by its column's index."""
        wanted = {column: value for column, value in hashes.items() if value}
        if not wanted:
            return []
        unknown = set(wanted) - set(DENY_HASHES)
        if unknown:
            raise ValueError(f"not a deny-list hash: {sorted(unknown)}")
        any_of = " OR ".join(f"{column} = :{column}" for column in wanted)
        return self._rows(
            f"SELECT * FROM deny_list WHERE ({any_of}) "  # noqa: S608 (columns checked above)
            "AND (expires_at IS NULL OR expires_at > :now) ORDER BY created_at",
            {**wanted, "now": to_db(now)},
        )

    def purge_expired_denials(self, now: datetime, alerts_before: datetime) -> int:
        """Expired deny entries, and staff alerts older than the visits they are about."""
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM deny_list WHERE expires_at <= ?", [to_db(now)])
            db.execute("DELETE FROM staff_alerts WHERE at < ?", [to_db(alerts_before)])
            return int(cursor.rowcount)
