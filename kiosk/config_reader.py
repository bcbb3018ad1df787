"""Typed, self-explaining access to one table of a parsed TOML file.

Kept apart from ``config`` so the rules of the site configuration read as a list of keys and
ranges, while the wording of every error lives in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
_CLOCK_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class ConfigError(ValueError):
    """A configuration problem, worded for the person editing the file."""


class Section:
    """One TOML table plus where it came from, for error messages."""

    def __init__(self, data: dict[str, Any], source: str, name: str) -> None:
        self._data = data
        self._source = source
        self._name = name

    def _where(self, key: str) -> str:
        table = f"[{self._name}] " if self._name else ""
        return f"{self._source}: {table}{key}"

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self._where(key)} = {self._data.get(key)!r}: {problem}")

    def has(self, key: str) -> bool:
        return key in self._data

    def only(self, *known: str) -> None:
        unknown = sorted(set(self._data) - set(known))
        if unknown:
            raise ConfigError(
                f"{self._where(unknown[0])}: unknown key (allowed here: {', '.join(known)})"
            )

    def section(self, key: str) -> Section:
        value = self._data.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table, e.g. [" + key + "]")
        return Section(value, self._source, key)

    def tables(self, key: str) -> Iterable[Section]:
        value = self._data.get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, f"must be a list of tables written [[{key}]]")
        return [Section(item, self._source, f"{key}[{n}]") for n, item in enumerate(value)]

    def string(self, key: str) -> str:
        value = self._data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty text in quotes")
        return value.strip()

    def text_or_empty(self, key: str) -> str:
        value = self._data.get(key)
        if not isinstance(value, str):
            raise self.fail(key, "must be a text in quotes")
        return value.strip()

    def short_text(self, key: str, max_bytes: int) -> str:
        value = self.text_or_empty(key)
        if len(value.encode("utf-8")) > max_bytes:
            raise self.fail(key, f"must be at most {max_bytes} bytes of UTF-8")
        return value

    def clock_time(self, key: str) -> str:
        """A time of day as HH:MM (24-hour), or "" to switch the feature off."""
        value = self.text_or_empty(key)
        if value and not _CLOCK_TIME.match(value):
            raise self.fail(key, 'use a 24-hour time such as "23:59", or "" for never')
        return value

    def identifier(self, key: str) -> str:
        value = self.string(key)
        if not _IDENTIFIER.match(value):
            raise self.fail(key, "use 1-40 lower-case letters, digits, '-', '_' or '.'")
        return value

    def boolean(self, key: str) -> bool:
        value = self._data.get(key)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def integer(self, key: str, low: int, high: int) -> int:
        value = self._data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"must be a whole number from {low} to {high}")
        return value

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self._data.get(key)
        if value not in allowed:
            raise self.fail(key, "allowed values are " + ", ".join(repr(a) for a in allowed))
        return str(value)

    def string_list(self, key: str, allowed: tuple[str, ...]) -> list[str]:
        value = self._data.get(key)
        if not isinstance(value, list) or not value or any(v not in allowed for v in value):
            raise self.fail(key, "must be a list drawn from " + ", ".join(repr(a) for a in allowed))
        return list(dict.fromkeys(value))

    def free_list(self, key: str) -> list[str]:
        value = self._data.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, 'must be a list of texts, e.g. ["email"]')
        return [v.strip() for v in value]

    def pick(self, **names: str) -> dict[str, str]:
        """Read optional string keys, renamed to Config field names."""
        return {field: self.string(key) for key, field in names.items() if self.has(key)}
