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


TEXT_SCALES = (1.0, 1.5, 2.0)
_SIZED = re.compile(
    r"(font-size|min-height|max-height|min-width|max-width|border-radius|width|height):\s*(\d+)px"
)


def stylesheet(scale: float = 1.0) -> str:
    """The QSS with every ``@name`` replaced by its colour (or ``@icons`` by the icon folder);
    an unknown name is a bug and raises. ``scale`` enlarges text, and the controls with it, for
    the large-text mode."""
    colours = {**theme(), "icons": assets.path("icons").as_posix()}

    def colour(match: re.Match[str]) -> str:
        return colours[match.group(1)]

    def sized(match: re.Match[str]) -> str:
        return f"{match.group(1)}: {round(int(match.group(2)) * scale)}px"

    qss = _PLACEHOLDER.sub(colour, assets.read_text("styles", "kiosk.qss"))
    return _SIZED.sub(sized, qss) if scale != 1.0 else qss
