"""The console's words in one language, from ``kiosk/hub/locale``: a flat catalog that knows its
language, so that a page says "1 record" and "2 records" where it once said "record(s)".

An entry that follows a count is a table of plural forms (see ``kiosk.plurals``); it is kept as
``key.one``, ``key.other``, as the kiosk's own catalogs keep theirs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from kiosk.plurals import counted, is_plural_table

LOCALE = Path(__file__).resolve().parent / "locale"


class Words(dict[str, str]):
    """A language's words by key; ``counted`` picks the form a number takes.

    Templates read words as ``t.key``, and Jinja looks for an attribute of that name before a
    key: an attribute here hides the word of the same name (``language`` did, and the Chinese
    page offered "zh-TW" as the way to English). So no key may share a name with an attribute,
    which a test checks for every key."""

    def __init__(self, language: str, strings: Mapping[str, str]) -> None:
        super().__init__(strings)
        self.language_code = language

    def counted(self, key: str, count: int, **values: object) -> str:
        return counted(self, key, self.language_code, count, **values)


@cache
def shared_words(language: str) -> Words:
    """One language's words, loaded once; read them, never change them (``words_in`` copies)."""
    return Words(language, _flat(tomllib.loads((LOCALE / f"{language}.toml").read_text("utf-8"))))


def words_in(language: str) -> Words:
    """A copy of ``language``'s words that a page may add to."""
    return Words(language, shared_words(language))


def _flat(data: Mapping[str, object]) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            if not is_plural_table(value):
                raise ValueError(f"{key!r}: only a counted entry's forms may be a table")
            flat.update({f"{key}.{form}": str(text) for form, text in value.items()})
        else:
            flat[key] = str(value)
    return flat
