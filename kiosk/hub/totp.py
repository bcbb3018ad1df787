"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the second
factor of console users who can see or change everything of a site (admin, privacy).

A code is taken for the step it belongs to or one step either side (a phone's clock may drift),
and a step that was used once is refused after that, so a code seen over a shoulder cannot be
replayed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
import struct
from datetime import datetime
from urllib.parse import quote

STEP_SECONDS = 30
DIGITS = 6
SECOND_FACTOR_ROLES = frozenset({"admin", "privacy"})


def new_secret() -> str:
    """20 random bytes in base32, as authenticator apps expect."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def code_at(secret: str, step: int, digits: int = DIGITS) -> str:
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_of(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, moment: datetime, last_used: int) -> int | None:
    """The step ``code`` belongs to (now, or one step either side), if it was not used yet."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_of(moment)
    for step in (now, now - 1, now + 1):
        if step > last_used and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, login: str, site: str) -> str:
    label = quote(f"Lobby Kiosk ({site}):{login}")
    return (
        f"otpauth://totp/{label}?secret={secret}&issuer={quote('Lobby Kiosk')}&digits=6&period=30"
    )


def qr_data_uri(text: str) -> str:
    """The enrolment QR as a PNG data URI (the page's policy allows images only from itself and
    data:, no script)."""
    import qrcode

    image = qrcode.make(text, box_size=6, border=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")
