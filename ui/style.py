"""The look: colours live in ``assets/styles/theme.toml``, the QSS refers to them by name."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping

from kiosk import assets

_PLACEHOLDER = re.compile(r"@([a-z_]+)")


def theme() -> Mapping[str, str]:
    data = tomllib.loads(assets.read_text("styles", "theme.toml"))
    return {str(k): str(v) for k, v in data["colours"].items()}


def stylesheet() -> str:
    """The QSS with every ``@name`` replaced by its colour (or ``@icons`` by the icon folder);
    an unknown name is a bug and raises."""
    colours = {**theme(), "icons": assets.path("icons").as_posix()}

    def colour(match: re.Match[str]) -> str:
        return colours[match.group(1)]

    return _PLACEHOLDER.sub(colour, assets.read_text("styles", "kiosk.qss"))
