from __future__ import annotations

import os

import pytest

from kiosk.base45 import Base45Error, decode, encode


@pytest.mark.parametrize(
    ("raw", "text"),
    [(b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"), (b"", "")],
)
def test_rfc_9285_examples(raw: bytes, text: str) -> None:
    assert encode(raw) == text
    assert decode(text) == raw


def test_ietf_example_decodes() -> None:
    assert decode("QED8WEX0") == b"ietf!"


def test_round_trip_random_bytes() -> None:
    for size in range(0, 130):
        data = os.urandom(size)
        assert decode(encode(data)) == data


@pytest.mark.parametrize("bad", ["A", "GGW", "ZZ", "abc", "BB8é", "::::"])
def test_invalid_text_is_refused(bad: str) -> None:
    with pytest.raises(Base45Error):
        decode(bad)
