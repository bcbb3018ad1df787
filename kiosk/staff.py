"""Front-desk staff PINs: hashed with scrypt, and locked after five wrong tries in a row.

The lock grows with every further wrong PIN (30 s, 1 min, 2 min … up to an hour) and is kept in
the database, so restarting the kiosk does not give an attacker fresh tries.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

from kiosk import audit
from kiosk.records import record
from kiosk.store import Store
from kiosk.wire import lock_after

_PIN = re.compile(r"^[0-9]{4,12}$")
# scrypt parameters: 16 MiB of memory per try, about 50 ms on the kiosk's class of machine.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}


class StaffError(ValueError):
    """A staff name or PIN that cannot be used; worded for the person setting it."""


@record
class PinCheck:
    staff_id: str | None
    wait_seconds: int = 0  # > 0: locked, try again after this
    staff_name: str = ""  # as staff wrote it when added: shown and written on ticks

    @property
    def ok(self) -> bool:
        return self.staff_id is not None


def staff_id_for(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.strip().casefold()).strip("-")
    if not slug:
        raise StaffError("name must contain letters or digits")
    return slug[:40]


def _hash(pin: str, salt: bytes) -> str:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, **_SCRYPT).hex()


def add_staff(store: Store, name: str, pin: str, now: datetime) -> str:
    if not _PIN.match(pin):
        raise StaffError("PIN must be 4 to 12 digits")
    staff_id = staff_id_for(name)
    salt = secrets.token_bytes(16)
    store.add_staff(staff_id, name.strip(), salt.hex(), _hash(pin, salt), now)
    return staff_id


def check_pin(store: Store, pin: str, now: datetime) -> PinCheck:
    """The attempt is counted (and the lock it would cause set) before the PIN is checked, in
    one write transaction, so parallel attempts cannot all read "no lock" and all guess."""
    failures, locked_until = store.claim_pin_attempt(now, lambda count: lock_after(count, now))
    if locked_until is not None:
        return PinCheck(None, int((locked_until - now).total_seconds()) + 1)
    for member in store.staff():
        expected = member["pin_hash"]
        if hmac.compare_digest(_hash(pin, bytes.fromhex(member["salt"])), expected):
            store.set_lockout(0, None)
            audit.record(store, now, "staff", f"staff:{member['id']}", "", "signed in")
            return PinCheck(member["id"], staff_name=member["name"])
    lock = lock_after(failures, now)
    if lock is not None:
        audit.record(store, now, "staff", "unknown", "", f"locked after {failures} wrong PINs")
    return PinCheck(None, int((lock - now).total_seconds()) if lock else 0)
