"""The site's shared keys, kept at the hub so nobody copies key files between tablets.

* The **deny key** and the **rights key** are secrets the hub makes on first use (or adopts from
  an existing kiosk's ``deny.key``: ``kiosk hub site-keys adopt``) and hands to every kiosk of the
  site over the authenticated API, at enrolment and on each sync.
* **Badge keys** go the other way: each kiosk publishes its public keys (current and retired) and
  receives every other kiosk's, so a badge printed in one lobby verifies in another, also after a
  rotation. Private keys never leave their kiosk.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from kiosk.hub.records import KioskIdentity, RecordRejectedError
from kiosk.hub.schema_site import badge_keys, site_secrets
from kiosk.wire import Clock, deny_key_id, to_db

DENY, RIGHTS = "deny", "rights"
MAX_KEYS = 64  # a kiosk publishes its current key and the retired ones still in its ring


def site_secret(engine: Engine, clock: Clock, site: str, name: str) -> bytes:
    """The site's secret of that name, made now if the site has none yet. Two hub processes
    asking at once agree: the second insert fails and reads the first one's key."""
    found = _read_secret(engine, site, name)
    if found is not None:
        return found
    try:
        with engine.begin() as db:
            db.execute(
                site_secrets.insert(),
                {
                    "site": site,
                    "name": name,
                    "value": secrets.token_hex(32),
                    "created_at": to_db(clock()),
                },
            )
    except IntegrityError:
        pass
    made = _read_secret(engine, site, name)
    assert made is not None
    return made


def _read_secret(engine: Engine, site: str, name: str) -> bytes | None:
    c = site_secrets.c
    with engine.connect() as db:
        value = db.execute(
            sa.select(c.value).where(c.site == site, c.name == name)
        ).scalar_one_or_none()
    return bytes.fromhex(value) if value else None


def adopt_deny_key(engine: Engine, clock: Clock, site: str, key_hex: str) -> str:
    """Make an existing kiosk's ``deny.key`` the site's key (the migration from keys copied by
    hand); the kiosks take it on their next sync. Returns the key's id."""
    try:
        key = bytes.fromhex(key_hex.strip())
    except ValueError:
        raise ValueError("a deny.key file holds 64 hexadecimal characters") from None
    if len(key) != 32:
        raise ValueError("a deny.key file holds 64 hexadecimal characters")
    c = site_secrets.c
    row = {"value": key.hex(), "created_at": to_db(clock())}
    with engine.begin() as db:
        where = (c.site == site) & (c.name == DENY)
        if not db.execute(site_secrets.update().where(where), row).rowcount:
            db.execute(site_secrets.insert(), {**row, "site": site, "name": DENY})
    return deny_key_id(key)


def publish_badge_keys(
    engine: Engine, clock: Clock, kiosk: KioskIdentity, keys: Sequence[Mapping[str, Any]]
) -> int:
    """Store the kiosk's public keys (a key's id must be its hash: nobody can publish a key under
    another key's name); a retirement is recorded. Returns how many keys were new."""
    checked = [_checked_key(item) for item in keys[:MAX_KEYS]]
    c = badge_keys.c
    new = 0
    with engine.begin() as db:
        known = {
            row.kid: row
            for row in db.execute(
                sa.select(c.kid, c.kiosk_id, c.retired_at).where(c.site == kiosk.site)
            )
        }
        for item in checked:
            old = known.get(item["kid"])
            if old is None:
                row = {**item, "site": kiosk.site, "kiosk_id": kiosk.kiosk_id}
                row["created_at"] = item["created_at"] or to_db(clock())
                db.execute(badge_keys.insert(), row)
                new += 1
            elif item["retired_at"] and not old.retired_at and old.kiosk_id == kiosk.kiosk_id:
                db.execute(
                    badge_keys.update()
                    .where(c.site == kiosk.site, c.kid == item["kid"])
                    .values(retired_at=item["retired_at"])
                )
    return new


def site_badge_keys(engine: Engine, site: str) -> list[dict[str, str]]:
    c = badge_keys.c
    with engine.connect() as db:
        rows = db.execute(
            sa.select(c.kid, c.public_key, c.kiosk_id, c.created_at, c.retired_at)
            .where(c.site == site)
            .order_by(c.created_at, c.kid)
        ).all()
    return [dict(row._mapping) for row in rows]


def _checked_key(item: Mapping[str, Any]) -> dict[str, str]:
    kid, public = str(item.get("kid", "")), str(item.get("public_key", ""))
    try:
        raw = base64.b64decode(public, validate=True)
    except (binascii.Error, ValueError):
        raise RecordRejectedError(f"badge key {kid[:8]!r}: public_key is not base64") from None
    if len(raw) != 32:
        raise RecordRejectedError(f"badge key {kid[:8]!r}: not a 32-byte Ed25519 public key")
    if hashlib.sha256(raw).digest()[:4].hex() != kid:
        raise RecordRejectedError(f"badge key {kid[:8]!r}: its id does not match the key")
    created, retired = str(item.get("created_at") or ""), str(item.get("retired_at") or "")
    if len(created) > 27 or len(retired) > 27:
        raise RecordRejectedError(f"badge key {kid}: dates are stored instants")
    return {"kid": kid, "public_key": public, "created_at": created, "retired_at": retired}
