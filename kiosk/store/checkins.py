"""A check-in's rows, written in one transaction: the notice texts, the visit with its
acknowledgement, the invitation it fulfils, a near-match alert for staff, the outbox jobs, the
anonymous day count and the audit entry. What the guest saw confirmed is all on disk, or none of
it is."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from kiosk.models import NoticeVersion, Visit
from kiosk.records import record
from kiosk.store import rows as convert
from kiosk.store.connection import Connection
from kiosk.store.sql import (
    _COUNT_VISIT,
    _INSERT_NOTICE,
    _INSERT_OUTBOX,
    _INSERT_VISIT,
)
from kiosk.timeutil import to_db

Sealer = Callable[[str, Mapping[str, str]], str]
AuditWriter = Callable[[Connection, Mapping[str, str], Sealer], None]


@record
class CheckinRecord:
    visit: Visit
    notices: Sequence[NoticeVersion]  # the site notice, then the host's company's, if any
    local_day: str  # the site-time day the anonymous count goes to
    jobs: Mapping[str, datetime | None]  # outbox job kind → when to give up (None: never)
    at: datetime
    department: str = ""  # the host's, for the anonymous count
    shown_on: str = "screen"  # where the notice was read: "screen" or "paper"
    actor: str = "guest"  # "guest", or "staff:ID" for an assisted check-in
    audit_entry: Mapping[str, str] | None = None
    sealer: Sealer | None = None
    invitation_code: str = ""  # the invitation this visit fulfils
    near_match: str = ""  # the deny entry a near match was found in: staff are alerted


def write_checkin(db: Connection, record: CheckinRecord, append_audit: AuditWriter) -> bool:
    """Every row of one check-in on ``db``, inside the caller's transaction. True if the
    invitation was used by this visit (False: none, or another visit used it first)."""
    visit, now = record.visit, to_db(record.at)
    company_version = record.notices[1].version if len(record.notices) > 1 else None
    for notice in record.notices:
        db.execute(_INSERT_NOTICE, convert.notice_row(notice, record.at))
    acknowledgement = {
        "acknowledged_at": now,
        "company_notice_version": company_version,
        "notice_given": record.shown_on,
        "notice_recorded_by": record.actor,
    }
    db.execute(_INSERT_VISIT, {**convert.visit_row(visit), **acknowledgement})
    for kind, expires in record.jobs.items():
        db.execute(_INSERT_OUTBOX, [visit.id, kind, now, to_db(expires) if expires else None])
    db.execute(_COUNT_VISIT, [record.local_day, visit.site, visit.purpose, record.department])
    used = False
    if record.invitation_code:
        cursor = db.execute(
            "UPDATE invitations SET used_by_visit = ? WHERE code = ? AND used_by_visit IS NULL",
            [visit.id, record.invitation_code],
        )
        used = int(cursor.rowcount) == 1
    if record.near_match:
        db.execute(
            "INSERT INTO staff_alerts (at, kind, deny_id, visit_id) VALUES (?, ?, ?, ?)",
            [now, "near_match", record.near_match, visit.id],
        )
    if record.audit_entry is not None and record.sealer is not None:
        append_audit(db, record.audit_entry, record.sealer)
    return used
