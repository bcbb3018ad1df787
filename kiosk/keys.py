"""The site's badge-signing keys: created at first start, rotated on request, exported to verify.

Layout under ``DATA_DIR/keys``::

    keyring.json          public keys (current, retired, imported) with their ids and dates
    signing-<kid>.pem     the one private key in use, mode 0600

A rotation makes a new key current and destroys the old private key, but keeps the old public key,
so badges already printed stay verifiable until they expire. Several kiosks of one site share a
key by configuration (``[badge] signing_key_file``) or the ``KIOSK_SIGNING_KEY`` environment
variable (base64 of the 32-byte private key), or verify each other after ``kiosk keys import``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.errors import KeyRingError
from kiosk.records import record
from kiosk.timeutil import to_db
from kiosk.tokens import key_id

ENV_KEY = "KIOSK_SIGNING_KEY"


@record
class PublicKeyEntry:
    kid: str
    public_key: str  # base64 of the 32 raw bytes
    created_at: str
    retired_at: str = ""
    source: str = "local"

    def key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key))


class KeyRing:
    """Holds the private key in use and every public key this kiosk accepts."""

    def __init__(self, private_key: Ed25519PrivateKey, entries: list[PublicKeyEntry], path: Path):
        self.private_key = private_key
        self.entries = entries
        self._path = path

    @property
    def current_kid(self) -> bytes:
        return key_id(self.private_key.public_key())

    def public_keys(self) -> Mapping[bytes, Ed25519PublicKey]:
        keys = {bytes.fromhex(e.kid): e.key() for e in self.entries}
        keys[self.current_kid] = self.private_key.public_key()
        return keys

    def export(self) -> dict[str, Any]:
        return {
            "format": "lobby-kiosk-keys/1",
            "current": self.current_kid.hex(),
            "keys": [entry.__dict__ for entry in self.entries],
        }

    def save(self) -> None:
        write_private(self._path, json.dumps(self.export(), indent=2).encode("utf-8"), mode=0o644)


def load_or_create(keys_dir: Path, now: datetime, key_file: Path | None = None) -> KeyRing:
    """The key ring, creating a key at first start; an operator-supplied key wins."""
    supplied = _supplied_key(key_file)
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    ring_path = keys_dir / "keyring.json"
    entries = _read_entries(ring_path)
    if supplied is not None:
        private = supplied
    else:
        current = next((e for e in entries if not e.retired_at and e.source == "local"), None)
        private_path = keys_dir / f"signing-{current.kid}.pem" if current else None
        if private_path is not None and private_path.exists():
            private = _load_pem(private_path)
        else:
            private = Ed25519PrivateKey.generate()
            _store_private(keys_dir, private)
    ring = KeyRing(private, entries, ring_path)
    _remember(ring, private.public_key(), now)
    return ring


def rotate(ring: KeyRing, keys_dir: Path, now: datetime) -> KeyRing:
    """New current key; the old public key stays for verification, its private key is destroyed."""
    old_kid = ring.current_kid.hex()
    retired = [
        PublicKeyEntry(**{**e.__dict__, "retired_at": to_db(now)}) if e.kid == old_kid else e
        for e in ring.entries
    ]
    private = Ed25519PrivateKey.generate()
    _store_private(keys_dir, private)
    old_file = keys_dir / f"signing-{old_kid}.pem"
    if old_file.exists():
        old_file.write_bytes(b"\0" * old_file.stat().st_size)
        old_file.unlink()
    new_ring = KeyRing(private, retired, ring._path)
    _remember(new_ring, private.public_key(), now)
    return new_ring


def import_public_keys(ring: KeyRing, exported: Mapping[str, Any]) -> int:
    """Accept badges signed by another kiosk or site key; returns how many keys were new."""
    known = {e.kid for e in ring.entries}
    added = 0
    try:
        for item in exported["keys"]:
            entry = _public_entry(item, "imported")
            if entry.kid not in known:
                ring.entries.append(entry)
                known.add(entry.kid)
                added += 1
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        if isinstance(error, KeyRingError):
            raise
        raise KeyRingError(f"not a key export from 'kiosk keys export' ({error})") from None
    ring.save()
    return added


def merge_site_keys(ring: KeyRing, published: list[Mapping[str, Any]]) -> int:
    """Take the badge public keys the site's other kiosks published through the hub (a key whose
    id does not match it is skipped); a retirement there is noted here. Returns how many keys
    were new. The ring is changed in place, so a running kiosk verifies with them at once."""
    index = {entry.kid: n for n, entry in enumerate(ring.entries)}
    added = changed = 0
    for item in published:
        try:
            entry = _public_entry(item, "site")
        except (KeyError, TypeError, ValueError, binascii.Error):  # KeyRingError too
            continue
        at = index.get(entry.kid)
        if at is None:
            index[entry.kid] = len(ring.entries)
            ring.entries.append(entry)
            added += 1
        elif (
            entry.retired_at
            and not ring.entries[at].retired_at
            and ring.entries[at].source != "local"
        ):
            ring.entries[at] = PublicKeyEntry(
                **{**ring.entries[at].__dict__, "retired_at": entry.retired_at}
            )
            changed += 1
    if added or changed:
        ring.save()
    return added


def _public_entry(item: Mapping[str, Any], source: str) -> PublicKeyEntry:
    """A public key from an export or the hub, its id checked against the key itself (nobody
    can pass a key off under another key's id); KeyError, TypeError, ValueError or
    binascii.Error for anything malformed."""
    entry = PublicKeyEntry(
        kid=str(item["kid"]),
        public_key=str(item["public_key"]),
        created_at=str(item.get("created_at") or ""),
        retired_at=str(item.get("retired_at") or ""),
        source=source,
    )
    if key_id(entry.key()).hex() != entry.kid:
        raise KeyRingError(f"key {entry.kid}: id does not match its public key")
    return entry


def _remember(ring: KeyRing, public: Ed25519PublicKey, now: datetime) -> None:
    kid = key_id(public).hex()
    if all(e.kid != kid for e in ring.entries):
        raw = base64.b64encode(public.public_bytes_raw()).decode("ascii")
        ring.entries.append(PublicKeyEntry(kid, raw, to_db(now)))
        ring.save()


def _read_entries(ring_path: Path) -> list[PublicKeyEntry]:
    if not ring_path.exists():
        return []
    data = json.loads(ring_path.read_text(encoding="utf-8"))
    return [PublicKeyEntry(**item) for item in data.get("keys", [])]


def _supplied_key(key_file: Path | None) -> Ed25519PrivateKey | None:
    seed = os.environ.get(ENV_KEY, "").strip()
    if seed:
        try:
            return Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed, validate=True))
        except (ValueError, binascii.Error):
            raise KeyRingError(
                f"{ENV_KEY} must be base64 of a 32-byte Ed25519 private key"
            ) from None
    if key_file is not None:
        return _load_pem(key_file)
    return None


# An unencrypted PKCS#8 Ed25519 key is these 16 bytes and the 32 of the key: read without the
# serialization module, whose import costs every command ~8 ms.
_PKCS8_ED25519 = bytes.fromhex("302e020100300506032b657004220420")


def _load_pem(path: Path) -> Ed25519PrivateKey:
    try:
        text = path.read_bytes()
    except OSError as error:
        raise KeyRingError(f"{path}: not a readable PEM private key ({error})") from None
    body = b"".join(text.strip().splitlines()[1:-1])
    if text.startswith(b"-----BEGIN PRIVATE KEY-----"):
        try:
            der = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            der = b""
        if len(der) == 48 and der.startswith(_PKCS8_ED25519):
            return Ed25519PrivateKey.from_private_bytes(der[16:])
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise KeyRingError(f"{path}: not a readable PEM private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyRingError(f"{path}: not an Ed25519 key")
    return key


def _store_private(keys_dir: Path, private: Ed25519PrivateKey) -> None:
    from cryptography.hazmat.primitives import serialization

    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_private(keys_dir / f"signing-{key_id(private.public_key()).hex()}.pem", pem, 0o600)


def write_private(path: Path, data: bytes, mode: int) -> None:
    """Create with the final mode from the start: a key is never readable by others, not even
    for a moment, and a crash leaves the old file or the new one, never half of it."""
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
