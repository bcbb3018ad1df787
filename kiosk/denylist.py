"""The deny list: people the site has asked not to admit.

Entries hold keyed hashes (HMAC-SHA-256 with the site's deny key, which the hub hands every kiosk
of the site, kept beside the signing keys) of the normalised name and email, never the name or
email itself. Matching is on normalised values: NFC, full-width folded to half-width, case-folded,
whitespace collapsed; Chinese names as written.

An exact match (same name or same email) stops the check-in: the guest is told only "please see
the front desk", staff get an alert, and nothing about the guest is stored. A near match (the same
name parts in another order, or the same email mailbox at another domain) is not blocked silently:
the check-in goes ahead and staff get an alert to look.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.records import record
from kiosk.store import Store
from kiosk.timeutil import to_db
from kiosk.wire import deny_hashes, deny_key_id, deny_normalise, normalise_text

KEY_FILE = "deny.key"


normalise = deny_normalise  # the name the rest of the kiosk knows it by


@record
class DenyMatch:
    deny_id: str
    exact: bool


class DenyList:
    def __init__(self, store: Store, keys_dir: Path) -> None:
        self._store = store
        self._path = keys_dir / KEY_FILE
        self._loaded = _load_key(keys_dir), self._path.stat().st_mtime_ns

    @property
    def _key(self) -> bytes:
        """The key file as it is now: a sync may have installed the site's key from the hub
        (``kiosk.site_keys``) while this kiosk runs."""
        key, stamp = self._loaded
        now_stamp = self._path.stat().st_mtime_ns
        if now_stamp != stamp:
            self._loaded = key, stamp = bytes.fromhex(self._path.read_text().strip()), now_stamp
        return key

    @property
    def key_id(self) -> str:
        """Names the key without revealing it: kiosks of a site must share one deny key for
        entries made at one kiosk to match at another."""
        return deny_key_id(self._key)

    def _hashes(self, name: str, email: str) -> dict[str, str | None]:
        return deny_hashes(self._key, name, email)

    def add(
        self,
        name: str,
        email: str,
        reason: str,
        now: datetime,
        expires: datetime | None,
        staff: str,
    ) -> str:
        if not normalise(name) and not normalise(email):
            raise ValueError("a deny entry needs a name or an email")
        deny_id = os.urandom(5).hex()
        entry: dict[str, Any] = {
            **self._hashes(name, email),
            "id": deny_id,
            "reason": normalise_text(reason)[:200] or "-",
            "created_at": to_db(now),
            "expires_at": to_db(expires) if expires else None,
            "created_by": staff,
        }
        self._store.add_deny(entry)
        return deny_id

    def check(self, name: str, email: str, now: datetime) -> DenyMatch | None:
        wanted = self._hashes(name, email)
        near = None
        for entry in self._store.deny_entries_matching(wanted, now):
            for exact_key in ("name_hash", "email_hash"):
                if entry[exact_key] and entry[exact_key] == wanted[exact_key]:
                    return DenyMatch(entry["id"], exact=True)
            for near_key in ("name_tokens_hash", "email_local_hash"):
                if entry[near_key] and entry[near_key] == wanted[near_key]:
                    near = near or DenyMatch(entry["id"], exact=False)
        return near


def _load_key(keys_dir: Path) -> bytes:
    path = keys_dir / KEY_FILE
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = os.urandom(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex())
    return key
