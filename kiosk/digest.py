"""SHA-256 digests and HMACs for the kiosk's core, made by the ``cryptography`` package.

Why not ``hashlib`` and ``hmac``: the kiosk loads ``cryptography`` anyway (it signs every badge),
and that package carries its own OpenSSL. ``hashlib`` (which ``hmac`` imports too) loads the
system's OpenSSL a second time: 3.3-5 ms of a ~95 ms ``kiosk checkin``, whose goal is 2x a bare
``import sqlite3, cryptography...`` (measured with ``-X importtime``, 2026-12-02). The digests are
the same bytes either way. The hub and staff PINs (scrypt) keep ``hashlib``: neither starts
often.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, hmac


def sha256(data: bytes) -> bytes:
    """The SHA-256 digest of ``data`` (32 bytes)."""
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data)
    return digest.finalize()


def sha256_hex(data: bytes) -> str:
    """The SHA-256 digest of ``data`` as 64 lower-case hex digits, as ``hexdigest()`` gives."""
    return sha256(data).hex()


def hmac_sha256_hex(key: bytes, data: bytes) -> str:
    """HMAC-SHA-256 of ``data`` under ``key``, as 64 lower-case hex digits."""
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(data)
    return mac.finalize().hex()
