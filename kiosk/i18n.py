"""Translated strings for every language, from one catalog per language in ``assets/locale``.

Core and UI use the same catalogs, so a guest's error message and the button next to it come from
one mechanism. Catalogs are TOML: translators edit plain text, tables group strings per screen, and
a third language is one more file (see ``docs/TRANSLATING.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from kiosk import assets
from kiosk.asset_cache import load_strings
from kiosk.plurals import plural_template

# Language names are shown in their own language, so they are not translated.
LANGUAGE_NAMES: Mapping[str, str] = {"zh-TW": "繁體中文", "en": "English"}


class MissingTranslationError(KeyError):
    """A string id is used in code but absent from a catalog: a bug, caught by the tests."""


@cache
def catalog(language: str) -> Mapping[str, str]:
    """All strings of one language, flattened to dotted ids such as ``details.name``; parsed
    once per change of its file (``kiosk.asset_cache``)."""
    return load_strings(catalog_path(language), parse_catalog)


def catalog_path(language: str) -> Path:
    return assets.path("locale", f"{language}.toml")


def parse_catalog(text: str) -> dict[str, str]:
    import tomllib  # only when a catalog changed: the check-in's path loads it from its cache

    flat: dict[str, str] = {}
    _flatten(tomllib.loads(text), "", flat)
    return flat


def _flatten(table: Mapping[str, Any], prefix: str, into: dict[str, str]) -> None:
    for key, value in table.items():
        if isinstance(value, Mapping):
            _flatten(value, f"{prefix}{key}.", into)
        else:
            into[f"{prefix}{key}"] = str(value)


class Translator:
    """Looks up strings for one language; format arguments are filled in, never interpreted."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._strings = catalog(language)

    def __call__(self, string_id: str, **values: object) -> str:
        """The string ``string_id`` filled in with ``values``. Given a ``count``, a counted entry
        takes the plural form of that number ("1 check-in", "2 check-ins": ``kiosk.plurals``)."""
        count = values.get("count")
        try:
            if isinstance(count, int):
                template = plural_template(self._strings, string_id, self.language, count)
            else:
                template = self._strings[string_id]
        except KeyError:
            raise MissingTranslationError(f"{string_id!r} missing in {self.language}") from None
        return template.format(**values) if values else template
