"""Visits and what belongs to them: notice texts, acknowledgements, check-outs, revocations,
the anonymous day counts, erasure (by retention and on request) and erase requests for the hub."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from kiosk.models import NoticeVersion, Visit
from kiosk.store import rows as convert
from kiosk.store.base import (
    PURGE_CHUNK,
    Database,
    _append_audit,
)
from kiosk.store.checkins import CheckinRecord, write_checkin
from kiosk.store.connection import Connection
from kiosk.store.sql import (
    _ALL_VISITS,
    _DELETE_EXPIRED_VISITS,
    _DELETE_EXPIRED_VISITS_BUT,
    _DELETE_OUTBOX_OF,
    _DELETE_OUTBOX_OF_EXPIRED,
    _DELETE_OUTBOX_OF_EXPIRED_BUT,
    _DELETE_VISITS,
    _INSERT_NOTICE,
    _ON_SITE_VISITS,
)
from kiosk.timeutil import to_db


class VisitRows(Database):
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

    def record_checkin(self, record: CheckinRecord) -> bool:
        """A check-in, all or nothing (see ``kiosk.store.checkins``); True if it used its
        invitation."""
        with self._transaction() as db:
            return write_checkin(db, record, _append_audit)

    def visit(self, visit_id: str) -> Visit | None:
        rows = self._rows("SELECT * FROM visits WHERE id = ?", [visit_id])
        return convert.visit(rows[0]) if rows else None

    def visit_addresses(self) -> list[tuple[str, str]]:
        """(id, email) of every visit that still has an address, in the order they came (as
        ``visits``): what a rights request compares, read without the rest of each visit."""
        with self._lock:
            return self._db.execute(
                "SELECT id, email FROM visits WHERE email != '' ORDER BY checked_in_at, rowid"
            ).fetchall()

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
        """The notice(s) the visit's guest accepted, when, where and recorded by whom."""
        rows = self._rows(
            "SELECT id AS visit_id, notice_version, acknowledged_at, company_notice_version, "
            "notice_given AS given, notice_recorded_by AS recorded_by FROM visits "
            "WHERE id = ? AND acknowledged_at IS NOT NULL",
            [visit_id],
        )
        return rows[0] if rows else None

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

    def expired_among(self, now: datetime, visit_ids: Sequence[str]) -> list[str]:
        """Which of these visits' retention has ended (the purge's spooled files)."""
        with self._lock:
            cursor = self._db.execute(
                "SELECT id FROM visits WHERE purge_after <= ? AND id IN "
                "(SELECT value FROM json_each(?))",
                [to_db(now), json.dumps(list(visit_ids))],
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
        """Delete these whole visits (a rights request), see ``_erasing``."""
        if not visit_ids:
            return 0
        ids = [json.dumps(list(visit_ids))]
        with self._erasing() as db:
            db.execute(_DELETE_OUTBOX_OF, ids)
            return int(db.execute(_DELETE_VISITS, ids).rowcount)

    def erase_expired_visits(
        self,
        now: datetime,
        limit: int,
        restart_wal: bool = False,
        held: Sequence[str] = (),
        *,
        durable: bool = True,
    ) -> int:
        """Delete up to ``limit`` whole visits whose retention ended at ``now``, earliest
        deadline first, but none of ``held``; 0 when none is left. The ids never come out to
        Python: one index scan per statement instead of a query for them, their list and its
        JSON (measured beside a guest checking in: 189k -> 220k visits/s on 100,000 visits).

        ``restart_wal``: first finish the checkpoint the purge just ran without the store (what
        a guest committed since), holding the store, so that this transaction starts the WAL
        from its beginning; SQLite restarts it only when nothing committed after a complete
        checkpoint. Without it a long purge beside check-ins grew the WAL to 60-130 MB, and
        truncating that at the end held the store 20-40 ms.

        ``durable=False``: the commit does not wait for the disk (see ``_erasing``)."""
        expired = {"now": to_db(now), "limit": limit, "held": json.dumps(list(held))}
        outbox, visits = (
            (_DELETE_OUTBOX_OF_EXPIRED_BUT, _DELETE_EXPIRED_VISITS_BUT)
            if held
            else (_DELETE_OUTBOX_OF_EXPIRED, _DELETE_EXPIRED_VISITS)
        )
        with self._erasing(restart_wal, durable) as db:
            db.execute(outbox, expired)
            return int(db.execute(visits, expired).rowcount)

    @contextmanager
    def _erasing(self, restart_wal: bool = False, durable: bool = True) -> Iterator[Connection]:
        """The one transaction that deletes visits (their acknowledgements are on the same row)
        with their outbox rows.

        The outbox rows are deleted by the caller, from the same visits, so the foreign-key
        checks are switched off for this transaction alone (under the store's lock, so no other
        statement runs without them): with them on, SQLite looks every deleted visit up again in
        the child tables, which was a quarter of the purge's time. It is committed durably like
        a check-in (synchronous=FULL): with the purge's pages left unsynced, the next guest's
        commit had to flush them (check-in p99 11 ms, measured). Not ``durable`` (the purge's
        chunks while no guest is about), its commit does not wait for the disk: the checkpoint
        that follows within ``kiosk.retention.CHECKPOINT_EVERY_ALONE`` syncs the WAL first, and
        a crash before it leaves rows the next purge deletes. Its own time, without the wait
        for the store, is kept in ``last_erase_seconds``."""
        with self._lock:
            started = time.perf_counter()
            if restart_wal:
                self._passive_checkpoint()
            self._db.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction
            if not durable:
                self._db.execute("PRAGMA synchronous=NORMAL")
            try:
                with self._transaction() as db:
                    yield db
            finally:
                self._db.execute("PRAGMA foreign_keys=ON")
                if not durable:
                    self._db.execute("PRAGMA synchronous=FULL")
                self.last_erase_seconds = time.perf_counter() - started

    def record_erase_request(
        self, receipt: str, visit_ids: Sequence[str], now: datetime, sent: bool = False
    ) -> None:
        """``sent``: the hub knows already (the request came from it), nothing to send."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO erase_requests (receipt, requested_at, visit_ids, sent_to_hub_at) "
                "VALUES (?, ?, ?, ?)",
                [receipt, to_db(now), json.dumps(list(visit_ids)), to_db(now) if sent else None],
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
