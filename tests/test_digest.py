"""``kiosk.digest`` makes the same bytes as the standard library: an audit chain, a notice
version or a keyed e-mail hash made before it replaced ``hashlib`` still matches after."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from kiosk.digest import hmac_sha256_hex, sha256, sha256_hex
from kiosk.wire import deny_key_id, email_key

SAMPLES = [b"", b"lobby", "陳大文 <chen@example.com>".encode(), bytes(range(256)) * 5]


@pytest.mark.parametrize("data", SAMPLES)
def test_sha256_is_the_standard_digest(data: bytes) -> None:
    assert sha256(data) == hashlib.sha256(data).digest()
    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("key", [b"", b"k", b"site rights key " * 8])
@pytest.mark.parametrize("data", SAMPLES)
def test_hmac_is_the_standard_hmac(key: bytes, data: bytes) -> None:
    assert hmac_sha256_hex(key, data) == hmac.new(key, data, hashlib.sha256).hexdigest()


def test_keyed_hashes_on_the_wire_are_unchanged() -> None:
    """Values made with ``hmac`` before #17 moved the kiosk off it: a hub holding them, or a
    rights request naming one, still finds its match."""
    key = bytes(range(32))
    assert (
        email_key(key, " Ada@Example.COM ")
        == hmac.new(key, b"ada@example.com", hashlib.sha256).hexdigest()
    )
    assert (
        deny_key_id(key)
        == hmac.new(key, b"lobby-kiosk deny key id", hashlib.sha256).hexdigest()[:16]
    )
