"""The outbox: work that must leave the kiosk (print, notify, a badge copy, sync), with
attempts, the last error, when to try again and when to give up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from kiosk.store.base import PURGE_CHUNK, Database
from kiosk.store.sql import (
    _INSERT_OUTBOX,
)
from kiosk.timeutil import to_db


class OutboxRows(Database):
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

    def open_outbox_count(self, kind: str) -> int:
        """How many jobs of a kind wait (the backlog the hub's admin page shows)."""
        rows = self._rows(
            "SELECT count(*) AS n FROM outbox WHERE kind = ? AND done_at IS NULL", [kind]
        )
        return int(rows[0]["n"])

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

    def purge_finished_outbox(self, done_before: datetime, limit: int = PURGE_CHUNK) -> int:
        """Delete up to ``limit`` jobs that succeeded before ``done_before``, oldest first, in
        one short transaction; returns how many went (0: none is left). Nothing reads them
        again (a reprint queues a new job), and a kiosk that keeps them grows its store by two
        rows a guest. Jobs given up keep their reason for staff until the visit itself is
        purged. In chunks: a kiosk that ran a version which kept them all had its first purge
        delete a month's in one transaction (200,000: 273 ms, the store held throughout)."""
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE done_at < ? "
                "AND last_error IS NULL ORDER BY id LIMIT ?)",
                [to_db(done_before), limit],
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
