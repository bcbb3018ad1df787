"""Base45 (RFC 9285): bytes as characters of the QR alphanumeric mode.

QR codes store alphanumeric text at 5.5 bits a character instead of 8 for bytes, so a signed
badge token in Base45 needs a smaller code than the same token in base64. Small enough to write
here rather than depend on a package for it.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE = {char: index for index, char in enumerate(ALPHABET)}


class Base45Error(ValueError):
    """The text is not valid Base45."""


def encode(data: bytes) -> str:
    out: list[str] = []
    for start in range(0, len(data) - 1, 2):
        number = data[start] * 256 + data[start + 1]
        number, c = divmod(number, 45)
        e, d = divmod(number, 45)
        out += (ALPHABET[c], ALPHABET[d], ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (ALPHABET[c], ALPHABET[d])
    return "".join(out)


def decode(text: str) -> bytes:
    if len(text) % 3 == 1:
        raise Base45Error("length leaves a lone character")
    try:
        values = [_VALUE[char] for char in text]
    except KeyError as error:
        raise Base45Error(f"character {error.args[0]!r} is not Base45") from None
    out = bytearray()
    for start in range(0, len(values), 3):
        chunk = values[start : start + 3]
        number = sum(value * 45**power for power, value in enumerate(chunk))
        if len(chunk) == 3:
            if number > 0xFFFF:
                raise Base45Error("triplet out of range")
            out += number.to_bytes(2, "big")
        else:
            if number > 0xFF:
                raise Base45Error("pair out of range")
            out.append(number)
    return bytes(out)
