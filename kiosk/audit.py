"""The audit trail: who did what, and when, provable after the fact.

Every entry names an action (check-in, check-out, print, reprint, purge, …), who did it (a staff
id, "guest" or "system") and the record it concerned (a visit id), never a name or an email.
Entries are hash-chained (SHA-256 over the previous hash and the entry), so ``kiosk audit
verify`` finds any row that was changed, removed or inserted later.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from kiosk import records
from kiosk.config import Config
from kiosk.digest import sha256_hex
from kiosk.give_way import chunk_by_chunk
from kiosk.store import Store
from kiosk.timeutil import to_db

ACTIONS = frozenset(
    {"checkin", "checkout", "print", "reprint", "purge", "export", "erase", "config", "staff"}
)


def seal(prev_hash: str, entry: Mapping[str, str]) -> str:
    fields = {key: entry[key] for key in ("at", "action", "actor", "record", "detail")}
    payload = prev_hash + json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return sha256_hex(payload.encode("utf-8"))


def entry(now: datetime, action: str, actor: str, target: str, detail: str = "") -> dict[str, str]:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    return {"at": to_db(now), "action": action, "actor": actor, "record": target, "detail": detail}


def record(
    store: Store, now: datetime, action: str, actor: str, target: str, detail: str = ""
) -> None:
    store.append_audit(entry(now, action, actor, target, detail), seal)


@records.record
class AuditCheck:
    ok: bool
    entries: int
    first_bad: int | None = None  # id of the first row that does not fit the chain


def config_fingerprint(config: Config) -> str:
    """What the site's settings are, independent of where the data lives."""
    settings = {k: v for k, v in records.asdict(config).items() if k not in ("data_dir", "source")}
    return sha256_hex(repr(sorted(settings.items())).encode("utf-8"))[:16]


def note_config(store: Store, config: Config, now: datetime, actor: str = "system") -> bool:
    """Record a config change (by fingerprint) when the kiosk starts with different settings."""
    fingerprint = config_fingerprint(config)
    last = store.last_audit_entry("config")
    if last is not None and last["detail"] == fingerprint:
        return False
    record(store, now, "config", actor, config.source, fingerprint)
    return True


def purge_older_than(store: Store, cutoff: datetime) -> int:
    """The trail is personal-data-free, but not kept forever either: its entries from before
    ``cutoff`` go, a short transaction at a time."""
    return chunk_by_chunk(lambda: store.purge_audit_before(cutoff))


def verify(store: Store) -> AuditCheck:
    """Every entry read once, in order, and checked against the one before it; ``entries`` counts
    them all, also after the first bad one."""
    prev = store.audit_anchor()
    entries, first_bad = 0, None
    for row in store.audit_rows():
        entries += 1
        if first_bad is None and (row["prev_hash"] != prev or seal(prev, row) != row["hash"]):
            first_bad = int(row["id"])
        prev = row["hash"]
    return AuditCheck(first_bad is None, entries, first_bad)
