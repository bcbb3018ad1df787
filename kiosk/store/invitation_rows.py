"""Invitations: expected guests, their codes and windows, and which visit used one."""

from __future__ import annotations

from collections.abc import Mapping
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
