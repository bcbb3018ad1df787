"""Signed badge tokens: what a badge's QR code carries, and how anyone checks it offline.

A token is a compact binary record signed with the site's Ed25519 key, written in Base45 (QR
alphanumeric mode) behind a prefix naming the format::

    LKB1:<base45( version | key id | visit | site tag | from | expires | zone | signature )>

It holds no name and no email: a camera in the lobby learns a random visit number and two times.
Verification checks the signature *before* any field is believed; only the key id is read first,
to find the key.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from enum import Enum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk import base45
from kiosk.config_tables import MAX_ZONE_BYTES
from kiosk.digest import sha256
from kiosk.records import record
from kiosk.wire import badge_code, visit_id_bytes, visit_id_text

PREFIX = "LKB1:"
FORMAT_VERSION = 1
SIGNATURE_SIZE = 64
MAX_TOKEN_CHARS = 256  # anything longer is refused before it is decoded
CLOCK_SKEW = timedelta(minutes=5)
_HEAD = struct.Struct(">B4s16s4sIIB")  # version, key id, visit, site tag, from, expires, zone len


class Verdict(Enum):
    """Outcomes of a check, each with its own CLI exit code (see ``exit_code``)."""

    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not yet valid"
    REVOKED = "revoked"
    WRONG_SITE = "wrong site"
    UNKNOWN_KEY = "unknown key"
    FORGED = "forged"
    MALFORMED = "malformed"

    @property
    def exit_code(self) -> int:
        return 0 if self is Verdict.VALID else 10 + list(Verdict).index(self)


@record
class Claims:
    """What a token states, once its signature has been checked."""

    key_id: bytes
    visit_id: str
    site_tag: bytes
    valid_from: datetime
    expires: datetime
    zone: str = ""


@record
class Verification:
    verdict: Verdict
    claims: Claims | None = None


def key_id(public_key: Ed25519PublicKey) -> bytes:
    """Four bytes naming a key: enough to pick among a site's few keys, cheap in the QR."""
    return sha256(public_key.public_bytes_raw())[:4]


def site_tag(site: str) -> bytes:
    return sha256(site.encode("utf-8"))[:4]


def short_code(visit_id: str) -> str:
    """Eight characters printed under the QR, for a person to read out or type."""
    return badge_code(visit_id)


def issue(claims: Claims, private_key: Ed25519PrivateKey) -> str:
    """Sign ``claims``; deterministic, so a reprint carries the same token."""
    zone = claims.zone.encode("utf-8")
    if len(zone) > MAX_ZONE_BYTES:
        raise ValueError(f"access zone longer than {MAX_ZONE_BYTES} bytes")
    body = (
        _HEAD.pack(
            FORMAT_VERSION,
            claims.key_id,
            visit_id_bytes(claims.visit_id),
            claims.site_tag,
            int(claims.valid_from.timestamp()),
            int(claims.expires.timestamp()),
            len(zone),
        )
        + zone
    )
    return PREFIX + base45.encode(body + private_key.sign(body))


def verify(
    token: str,
    public_keys: Mapping[bytes, Ed25519PublicKey],
    expected_site: bytes,
    now: datetime,
    is_revoked: Callable[[str], bool],
) -> Verification:
    """Check a scanned or typed token. Never raises for bad input: it says what is wrong."""
    raw = _unwrap(token)
    if raw is None or len(raw) < _HEAD.size + SIGNATURE_SIZE:
        return Verification(Verdict.MALFORMED)
    body, signature = raw[:-SIGNATURE_SIZE], raw[-SIGNATURE_SIZE:]
    public_key = public_keys.get(body[1:5])
    if body[0] != FORMAT_VERSION:
        return Verification(Verdict.MALFORMED)
    if public_key is None:
        return Verification(Verdict.UNKNOWN_KEY)
    try:
        public_key.verify(signature, body)
    except InvalidSignature:
        return Verification(Verdict.FORGED)
    claims = _claims(body)  # trusted from here on
    if claims is None:
        return Verification(Verdict.MALFORMED)
    return Verification(_judge(claims, expected_site, now, is_revoked), claims)


def _unwrap(token: str) -> bytes | None:
    text = token.strip()
    if len(text) > MAX_TOKEN_CHARS or not text.startswith(PREFIX):
        return None
    try:
        return base45.decode(text[len(PREFIX) :])
    except base45.Base45Error:
        return None


def _claims(body: bytes) -> Claims | None:
    _version, kid, visit, site, start, end, zone_length = _HEAD.unpack_from(body)
    zone = body[_HEAD.size :]
    if len(zone) != zone_length:
        return None
    try:
        zone_text = zone.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return Claims(
        key_id=kid,
        visit_id=visit_id_text(visit),
        site_tag=site,
        valid_from=datetime.fromtimestamp(start, UTC),
        expires=datetime.fromtimestamp(end, UTC),
        zone=zone_text,
    )


def _judge(
    claims: Claims, expected_site: bytes, now: datetime, is_revoked: Callable[[str], bool]
) -> Verdict:
    if claims.site_tag != expected_site:
        return Verdict.WRONG_SITE
    if now + CLOCK_SKEW < claims.valid_from:
        return Verdict.NOT_YET_VALID
    if now >= claims.expires:
        return Verdict.EXPIRED
    if is_revoked(claims.visit_id):
        return Verdict.REVOKED
    return Verdict.VALID
