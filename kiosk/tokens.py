"""What a badge's QR code carries.

For now the QR holds the visit id and nothing else: no name, no email, nothing a camera in the
lobby could learn a person from. The text uses only characters of the QR alphanumeric mode
(upper-case letters, digits, ``-`` and ``:``), which keeps the code small and easy to scan. The
``LK1:`` prefix names the format so a signed format can replace it later without ambiguity.
"""

from __future__ import annotations

import re
import uuid

PREFIX = "LK1:"
_PAYLOAD = re.compile(r"^LK1:([0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12})$")


def badge_payload(visit_id: str) -> str:
    return PREFIX + str(uuid.UUID(visit_id)).upper()


def visit_id_from_payload(payload: str) -> str | None:
    """The visit id in a scanned payload, or None when it is not one of ours."""
    match = _PAYLOAD.match(payload.strip()[:64])
    return str(uuid.UUID(match.group(1))) if match else None


def short_code(visit_id: str) -> str:
    """Eight characters printed under the QR, for a person to read out or type."""
    return str(uuid.UUID(visit_id)).replace("-", "")[:8].upper()
