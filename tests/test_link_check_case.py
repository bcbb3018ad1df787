"""The link-or-markup check matches the guest's words in lower case instead of compiling
``re.IGNORECASE`` (~2 ms of every check-in's start): it must flag exactly what the
case-insensitive match flags, for every letter that has a case, wherever it stands in a link."""

from __future__ import annotations

import re
import sys

from kiosk.validation import LINK_OR_MARKUP, looks_like_link_or_markup

CASE_INSENSITIVE = re.compile(LINK_OR_MARKUP, re.IGNORECASE)
SAMPLES = ["http://x", "www.x", "x.ab/", "a.com", "a.shop", "a.info", "a.tw", "Ada"]


def templates() -> set[tuple[str, str]]:
    """Each sample with one place taken by, or given, another character."""
    made = set()
    for sample in SAMPLES:
        for at in range(len(sample) + 1):
            made.add((sample[:at], sample[at + 1 :]))
            made.add((sample[:at], sample[at:]))
    return made


def test_lower_case_matching_flags_what_case_insensitive_matching_flags() -> None:
    cased = [
        chr(point)
        for point in range(sys.maxunicode + 1)
        if not 0xD800 <= point < 0xE000 and chr(point).lower() != chr(point).upper()
    ]
    assert len(cased) > 2000
    differ = [
        before + char + after
        for char in cased
        for before, after in templates()
        if looks_like_link_or_markup(before + char + after)
        != bool(CASE_INSENSITIVE.search(before + char + after))
    ]
    assert differ == []


def test_upper_and_mixed_case_links_are_caught() -> None:
    for text in ("HTTP://EVIL", "WwW.example", "Ada.COM", "X.Shop", "EVIL.ſHOP", "x.İO"):
        assert looks_like_link_or_markup(text), text
    assert not looks_like_link_or_markup("Ada Lovelace-Byron")
