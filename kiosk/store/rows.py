"""Conversion between model objects and database rows, in one place."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kiosk.models import Host, NoticeVersion, Visit
from kiosk.timeutil import from_db, to_db


def host_row(host: Host) -> dict[str, Any]:
    return {
        "id": host.id,
        "name": host.name,
        "department": host.department,
        "email": host.email,
        "notify": json.dumps(list(host.notify)),
        "language": host.language,
        "active": int(host.active),
        "company_id": host.company_id,
    }


def host(row: dict[str, Any]) -> Host:
    return Host(
        id=row["id"],
        name=row["name"],
        department=row["department"],
        email=row["email"],
        notify=tuple(json.loads(row["notify"])),
        language=row["language"],
        active=bool(row["active"]),
        company_id=row["company_id"],
    )


def optional_db(moment: datetime | None) -> str | None:
    return to_db(moment) if moment else None


def notice_row(notice: NoticeVersion, shown_at: datetime) -> dict[str, Any]:
    return {
        "version": notice.version,
        "language": notice.language,
        "text": notice.text,
        "first_shown_at": to_db(shown_at),
    }


def visit_row(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.id,
        "site": visit.site,
        "kiosk_id": visit.kiosk_id,
        "host_id": visit.host_id,
        "purpose": visit.purpose,
        "purpose_text": visit.purpose_text,
        "name": visit.name,
        "email": visit.email,
        "language": visit.language,
        "notice_version": visit.notice_version,
        "checked_in_at": to_db(visit.checked_in_at),
        "purge_after": to_db(visit.purge_after),
        "checked_out_at": to_db(visit.checked_out_at) if visit.checked_out_at else None,
        "checkout_kind": visit.checkout_kind,
        "company_id": visit.company_id,
        "email_purge_after": optional_db(visit.email_purge_after),
        "notes_purge_after": optional_db(visit.notes_purge_after),
    }


def visit(row: dict[str, Any]) -> Visit:
    checked_out = row["checked_out_at"]
    return Visit(
        id=row["id"],
        site=row["site"],
        kiosk_id=row["kiosk_id"],
        host_id=row["host_id"],
        purpose=row["purpose"],
        purpose_text=row["purpose_text"],
        name=row["name"],
        email=row["email"],
        language=row["language"],
        notice_version=row["notice_version"],
        checked_in_at=from_db(row["checked_in_at"]),
        purge_after=from_db(row["purge_after"]),
        checked_out_at=from_db(checked_out) if checked_out else None,
        checkout_kind=row["checkout_kind"],
        company_id=row["company_id"],
        email_purge_after=from_db(row["email_purge_after"]) if row["email_purge_after"] else None,
        notes_purge_after=from_db(row["notes_purge_after"]) if row["notes_purge_after"] else None,
    )
