"""The console's audit trail: who did what in the console (roll calls, check-outs, invitations),
per site, in the same transaction as the change itself. Each entry carries the hash of the one
before it (SHA-256 over the previous hash and the entry's fields), so changing or removing an entry
breaks the chain from there on; ``verify`` finds the first break. Appending first bumps the
``audit`` row of the counter table, which serialises writers across hub processes."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from kiosk.hub import schema as t

FIELDS = ("at", "site", "login", "action", "record", "detail")
# Every action the console and the hub record; the console shows each in words (its locale's
# ``action:…`` keys), so an action not listed here is refused rather than shown as code.
ACTIONS = frozenset(
    {
        "checked out",
        "invited",
        "invitation cancelled",
        "roll call started",
        "accounted for",
        "tick removed",
        "roll call closed",
        "kiosk_enrol",
        "kiosk_revoke",
        "user_add",
        "user_role",
        "user_remove",
        "deny_add",
        "deny_remove",
        "host_save",
        "hosts_import",
        "company_save",
        "company_remove",
        "rights_erase",
        "rights_export",
        "rights_erase_done",
        "rights_export_done",
        "rights_download",
        "rights_expired",
    }
)


def entry_hash(prev_hash: str, entry: dict[str, str]) -> str:
    body = json.dumps([prev_hash, *(entry[name] for name in FIELDS)], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def audit(
    db: Connection, at: str, site: str, login: str, action: str, record: str, detail: str
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"not an audited action: {action!r} (add it to ACTIONS and the locales)")
    counter = t.counter.c
    db.execute(  # the chain's lock: held until this transaction ends
        t.counter.update().where(counter.name == "audit").values(value=counter.value + 1)
    )
    last = db.execute(
        sa.select(t.console_audit.c.hash).order_by(t.console_audit.c.id.desc()).limit(1)
    ).first()
    entry = {
        "at": at,
        "site": site,
        "login": login,
        "action": action,
        "record": record,
        "detail": detail,
    }
    prev_hash = last.hash if last else ""
    db.execute(
        t.console_audit.insert(),
        {**entry, "prev_hash": prev_hash, "hash": entry_hash(prev_hash, entry)},
    )


def verify(engine: Engine) -> tuple[int, int | None]:
    """(entries checked, id of the first entry that does not fit the chain, or None)."""
    expected = ""
    count = 0
    with engine.connect() as db:
        for row in db.execute(sa.select(t.console_audit).order_by(t.console_audit.c.id)):
            entry = {name: str(getattr(row, name)) for name in FIELDS}
            if row.prev_hash != expected or row.hash != entry_hash(expected, entry):
                return count, int(row.id)
            expected = row.hash
            count += 1
    return count, None
