"""A person's rights over what the kiosk holds on them: see it all, or have it erased now.

Requests are matched on the normalised email address (the one identifier a visitor can prove by
receiving mail). Both actions go to the audit trail by receipt id, never by address.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk import audit
from kiosk.config import Config
from kiosk.models import Visit
from kiosk.retention import shred_visit_files
from kiosk.store import Store
from kiosk.timeutil import to_db
from kiosk.wire import email_key, normalise_email

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    receipt: str
    visits: int
    at: datetime
    invitations: int = 0


def _receipt() -> str:
    return uuid.uuid4().hex[:12].upper()


def matching_visits(store: Store, email: str) -> list[Visit]:
    wanted = normalise_email(email)
    return _visits_whose_address(store, lambda stored: normalise_email(stored) == wanted)


def visits_under_key(store: Store, rights_key: bytes, wanted: str) -> list[Visit]:
    """The visits whose address hashes to ``wanted`` under the site's rights key: how a kiosk
    finds the person of a request made at the hub, which never sends the address."""
    return _visits_whose_address(store, lambda stored: email_key(rights_key, stored) == wanted)


def _visits_whose_address(store: Store, matches: Callable[[str], bool]) -> list[Visit]:
    """The person's visits, in the order they came. Every stored address is compared (normalised,
    or hashed under the rights key: SQL can do neither), but only the person's visits are read
    whole: reading every visit whole took 2.4-2.7 s a request on a store of 100,000."""
    ids = _whose_address(store.visit_addresses(), matches)
    found = store.visits_by_id(ids)
    return [found[visit_id] for visit_id in ids if visit_id in found]


def matching_invitations(store: Store, email: str) -> list[dict[str, Any]]:
    """The person's invitations (a name, an address, a host and a day each), by their days."""
    wanted = normalise_email(email)
    codes = _whose_address(store.invitation_addresses(), lambda a: normalise_email(a) == wanted)
    return store.invitations_by_code(codes)


def invitations_under_key(store: Store, rights_key: bytes, wanted: str) -> list[dict[str, Any]]:
    codes = _whose_address(
        store.invitation_addresses(), lambda address: email_key(rights_key, address) == wanted
    )
    return store.invitations_by_code(codes)


def _whose_address(pairs: list[tuple[str, str]], matches: Callable[[str], bool]) -> list[str]:
    return [key for key, address in pairs if address and matches(address)]


def invitation_record(row: dict[str, Any]) -> dict[str, Any]:
    """One invitation as the person gets it back (deleted on its own once its day is over)."""
    names = ("code", "name", "email", "host_id", "starts_at", "ends_at", "created_at")
    return {**{name: row[name] for name in names}, "used_by_visit": row["used_by_visit"]}


def visit_record(store: Store, visit: Visit) -> dict[str, Any]:
    """One visit as the person gets it back, with the notice text they acknowledged."""
    ack = store.acknowledgement(visit.id) or {}
    notices = [
        store.notice(v) for v in (ack.get("notice_version"), ack.get("company_notice_version")) if v
    ]
    return {
        "visit_id": visit.id,
        "site": visit.site,
        "kiosk": visit.kiosk_id,
        "name": visit.name,
        "email": visit.email,
        "purpose": visit.purpose,
        "purpose_text": visit.purpose_text,
        "host_id": visit.host_id,
        "company_id": visit.company_id,
        "language": visit.language,
        "checked_in_at": to_db(visit.checked_in_at),
        "checked_out_at": to_db(visit.checked_out_at) if visit.checked_out_at else None,
        "deleted_on": to_db(visit.purge_after),
        "email_deleted_on": to_db(visit.email_purge_after) if visit.email_purge_after else None,
        "acknowledged_at": ack.get("acknowledged_at"),
        "notices": [
            {"version": n.version, "language": n.language, "text": n.text} for n in notices if n
        ],
    }


def export(store: Store, config: Config, email: str, now: datetime, actor: str) -> dict[str, Any]:
    """Every record held on the person, with the notice text each visit acknowledged."""
    visits = matching_visits(store, email)
    invited = matching_invitations(store, email)
    receipt = _receipt()
    records = [visit_record(store, visit) for visit in visits]
    detail = f"visits={len(visits)}" + (f" invitations={len(invited)}" if invited else "")
    audit.record(store, now, "export", actor, receipt, detail)
    return {
        "receipt": receipt,
        "exported_at": to_db(now),
        "controller": {"name": config.controller_name, "contact": config.privacy_contact},
        "visits": records,
        "invitations": [invitation_record(row) for row in invited],
        "kept_without_personal_data": "anonymous daily visitor counts (date, site, purpose, count)",
    }


def as_text(exported: dict[str, Any]) -> str:
    lines = [
        f"Data held by {exported['controller']['name']} (receipt {exported['receipt']}, "
        f"{exported['exported_at']})",
        f"Questions: {exported['controller']['contact']}",
        "",
    ]
    if not exported["visits"] and not exported["invitations"]:
        lines.append("No visit and no invitation is stored for this email address.")
    for n, visit in enumerate(exported["visits"], start=1):
        lines += [
            f"Visit {n}: {visit['checked_in_at']} at {visit['site']}",
            f"  visit id: {visit['visit_id']}",
            f"  name: {visit['name']}",
            f"  email: {visit['email'] or '(already deleted)'}",
            f"  purpose: {visit['purpose']} {visit['purpose_text']}".rstrip(),
            f"  host: {visit['host_id']}",
            f"  checked out: {visit['checked_out_at'] or 'not recorded'}",
            f"  will be deleted on: {visit['deleted_on']}",
            f"  privacy notice accepted at {visit['acknowledged_at']}:",
        ]
        for notice in visit["notices"]:
            lines += [f"    --- version {notice['version']} ({notice['language']}) ---"]
            lines += [f"    {line}" for line in notice["text"].splitlines()]
        lines.append("")
    for n, invitation in enumerate(exported["invitations"], start=1):
        lines += [
            f"Invitation {n}: from {invitation['starts_at']} to {invitation['ends_at']}",
            f"  code: {invitation['code']}",
            f"  name: {invitation['name']}",
            f"  email: {invitation['email']}",
            f"  host: {invitation['host_id']}",
            f"  made: {invitation['created_at']}",
            f"  used by visit: {invitation['used_by_visit'] or 'not yet'}",
            f"  will be deleted on: {invitation['ends_at']}",
            "",
        ]
    lines.append(f"Also kept, without personal data: {exported['kept_without_personal_data']}.")
    return "\n".join(lines)


def erase(store: Store, spool_dir: Path, email: str, now: datetime, actor: str) -> Receipt:
    """Erase at once everything held on the person; the receipt is what the person gets back.
    The visit ids are kept with the receipt (no personal data) so the hub can be told too."""
    ids = [v.id for v in matching_visits(store, email)]
    codes = [row["code"] for row in matching_invitations(store, email)]
    receipt = Receipt(_receipt(), len(ids), now, store.erase_invitations(codes))
    erase_visits(
        store, spool_dir, ids, receipt.receipt, now, actor, invitations=receipt.invitations
    )
    return receipt


def erase_visits(
    store: Store,
    spool_dir: Path,
    ids: list[str],
    receipt: str,
    now: datetime,
    actor: str,
    told_hub: bool = False,
    invitations: int = 0,
) -> None:
    """Shred the visits' files, delete their rows, keep the ids under the receipt (to tell the
    hub, unless ``told_hub``: a request that came from the hub is answered directly) and push
    the freed pages out of the write-ahead log (also those of ``invitations`` erased before)."""
    for visit_id in ids:
        shred_visit_files(spool_dir, visit_id)
    store.erase_visits(ids)
    store.record_erase_request(receipt, ids, now, sent=told_hub)
    detail = f"visits={len(ids)}" + (f" invitations={invitations}" if invitations else "")
    audit.record(store, now, "erase", actor, receipt, detail)
    store.checkpoint()
    log.info("erase request %s: %d visits erased", receipt, len(ids))
