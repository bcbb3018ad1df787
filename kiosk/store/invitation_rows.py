"""Invitations: expected guests, their codes and windows, and which visit used one."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from kiosk.store.base import (
    Database,
)
from kiosk.timeutil import to_db


class InvitationRows(Database):
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

    def invitation_addresses(self) -> list[tuple[str, str]]:
        """(code, email) of every invitation, in the order of their days: what a rights request
        compares, as it does the visits' addresses."""
        with self._lock:
            return self._db.execute(
                "SELECT code, email FROM invitations ORDER BY starts_at, rowid"
            ).fetchall()

    def invitations_by_code(self, codes: Sequence[str]) -> list[dict[str, Any]]:
        """These invitations whole (a rights request's), in the order of ``codes``."""
        rows = self._rows(
            "SELECT * FROM invitations WHERE code IN (SELECT value FROM json_each(?))",
            [json.dumps(list(codes))],
        )
        by_code = {row["code"]: row for row in rows}
        return [by_code[code] for code in codes if code in by_code]

    def erase_invitations(self, codes: Sequence[str]) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM invitations WHERE code IN (SELECT value FROM json_each(?))",
                [json.dumps(list(codes))],
            )
            return int(cursor.rowcount)

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

    def take_hub_invitations(self, rows: Sequence[Mapping[str, Any]], now: datetime) -> int:
        """Invitations made in the hub's console, as a sync brings them: new ones are added (so
        the code works here too), cancelled ones not yet used are dropped. Returns how many
        were added."""
        added = 0
        with self._transaction() as db:
            for row in rows:
                if row.get("cancelled"):
                    db.execute(
                        "DELETE FROM invitations WHERE code = ? AND used_by_visit IS NULL "
                        "AND created_by = 'hub'",
                        [str(row["code"])],
                    )
                    continue
                cursor = db.execute(
                    "INSERT OR IGNORE INTO invitations (code, name, email, host_id, starts_at, "
                    "ends_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, 'hub')",
                    [
                        str(row["code"]),
                        str(row["name"]),
                        str(row["email"]),
                        str(row["host_id"]),
                        str(row["starts_at"]),
                        str(row["ends_at"]),
                        to_db(now),
                    ],
                )
                added += int(cursor.rowcount)
        return added
