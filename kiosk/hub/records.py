"""What a kiosk may send the hub, checked field by field before any query sees it.

Every check here turns bad input into a ``RecordRejectedError`` with a reason the kiosk can park
the record with: a NUL byte, a lone surrogate, an over-long value or a time in year 9999 must
never become a 500 that fails a whole batch (the kiosk would resend it for ever).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from kiosk.records import record
from kiosk.wire import SHARED_FIELDS, SYNC_FIELDS, from_db, normalise_text

DENY_FIELDS = ("deny_id", "key_id", *SHARED_FIELDS)
FIELD_LIMITS = {"name": 400, "email": 400, "checked_in_at": 27, "checked_out_at": 27}
CLOCK_SKEW = timedelta(days=366)  # a kiosk clock may be wrong by days; a year is garbage


@record
class KioskIdentity:
    kiosk_id: str
    site: str


class RecordRejectedError(ValueError):
    """One record the hub will not take; the message is the reason the kiosk parks it with."""


class ReceiptInUseError(RecordRejectedError):
    """An erase receipt id another kiosk already used: the caller must choose another."""


def key_and_visit(event: Mapping[str, Any]) -> tuple[str, str]:
    """The idempotency key and visit id of an event, safe to put in a query."""
    key = clean_text("idempotency_key", event.get("idempotency_key", ""), 160)
    record = event.get("record")
    visit_id = record.get("visit_id") if isinstance(record, dict) else None
    if visit_id is None or not isinstance(visit_id, str):
        return key, ""
    return key, clean_text("visit_id", visit_id, 64)


def printable_key(event: Mapping[str, Any]) -> str:
    """A rejected event's key as it can be echoed back in JSON."""
    key = event.get("idempotency_key", "")
    text = key if isinstance(key, str) else ""
    return text[:160].encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def deny_row(entry: Mapping[str, Any], kiosk: KioskIdentity) -> dict[str, Any]:
    """A deny entry checked field by field: ids and hashes fit their 64-character columns,
    times are the kiosk's UTC form, texts fit their columns."""
    row = {name: entry.get(name) for name in DENY_FIELDS}
    if not row["deny_id"] or not row["key_id"] or not row["created_at"]:
        raise RecordRejectedError("a deny entry needs deny_id, key_id and created_at")
    # Shown to front-desk staff at every kiosk of the site: kept as a kiosk keeps typed text.
    reason = clean_text("reason", str(row["reason"] or "-")[:200], 200)
    row["reason"] = normalise_text(reason) or "-"
    created_by = clean_text("created_by", str(row["created_by"] or kiosk.kiosk_id)[:64], 64)
    row["created_by"] = normalise_text(created_by) or kiosk.kiosk_id
    hashes = ("name_hash", "name_tokens_hash", "email_hash", "email_local_hash")
    for name in ("deny_id", "key_id", *hashes):
        if row[name] is not None:
            clean_text(name, row[name], 64)
    for name in ("created_at", "expires_at"):
        if row[name] is not None:
            try:
                from_db(clean_text(name, row[name], 27))
            except ValueError:
                raise RecordRejectedError(f"{name} is not a UTC time") from None
    return row


def body_hash(event: Mapping[str, Any]) -> str:
    body = {"event": event.get("event"), "record": event.get("record")}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()  # hashed, not stored


def checked_record(record: object, kiosk: KioskIdentity) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise RecordRejectedError("record must be an object")
    unknown = sorted(set(record) - set(SYNC_FIELDS))
    if unknown:
        raise RecordRejectedError(f"fields the hub does not take: {', '.join(unknown)}")
    visit_id = record.get("visit_id")
    if not isinstance(visit_id, str) or not 0 < len(visit_id) <= 64:
        raise RecordRejectedError("visit_id must be text of 1 to 64 characters")
    site = record.get("site")
    if site is not None and site != kiosk.site:
        raise RecordRejectedError("record names another site than this kiosk's")
    for name, value in record.items():
        if value is not None:
            clean_text(name, value, FIELD_LIMITS.get(name, 64))
    checked = dict(record)
    if isinstance(checked.get("name"), str):
        checked["name"] = shown_name(checked["name"])
    return checked


def shown_name(name: str) -> str:
    """A guest's name as a kiosk stores it (``wire.normalise_text``): what a kiosk of this
    release sends already, so only another release's or a forged record changes here. The
    console shows it to security staff and prints it on the roll call, where a right-to-left
    override or a line break would show another name than the one typed."""
    shown = normalise_text(name)
    if name and not shown:
        raise RecordRejectedError("name has nothing visible")
    return shown


def clean_text(name: str, value: object, limit: int) -> str:
    """Text a database of either kind stores as given: a string, at most ``limit`` characters,
    no NUL (PostgreSQL refuses it), nothing that is not Unicode (a lone surrogate cannot be
    written as UTF-8). Each is a reason the kiosk can act on, not a 500 for the whole batch."""
    if not isinstance(value, str):
        raise RecordRejectedError(f"{name} must be text")
    if len(value) > limit:
        raise RecordRejectedError(f"{name} is longer than {limit} characters")
    if "\x00" in value:
        raise RecordRejectedError(f"{name} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordRejectedError(f"{name} is not valid Unicode text") from None
    return value


def instant(record: Mapping[str, Any], name: str, required: bool, now: datetime) -> datetime | None:
    """A time at most a year ahead of the hub's clock: a tablet's clock may be off by days
    (the purge is capped from receipt either way), but year 9999 is not a time, it is garbage."""
    value = record.get(name)
    if value is None:
        if required:
            raise RecordRejectedError(f"{name} is required")
        return None
    try:
        moment = from_db(str(value))
    except ValueError:
        raise RecordRejectedError(
            f"{name} is not a UTC time like 2026-11-25T09:30:00.000000Z"
        ) from None
    if moment > now + CLOCK_SKEW:
        raise RecordRejectedError(f"{name} is in the future; check the kiosk's clock")
    return moment


def bounded(record: Mapping[str, Any], name: str) -> str | None:
    """A text field that fits its column (ids and keys 64, names and emails 400)."""
    value = record.get(name)
    return None if value is None else clean_text(name, value, FIELD_LIMITS.get(name, 64))


def purge_after_of(record: Mapping[str, Any], latest: datetime) -> datetime:
    """The kiosk's own deadline, if it sent one (it may be sooner than the hub's cap)."""
    value = record.get("purge_after")
    if value is None:
        return latest
    try:
        return from_db(str(value))
    except ValueError:
        raise RecordRejectedError(
            "purge_after is not a UTC time like 2026-11-25T09:30:00.000000Z"
        ) from None
