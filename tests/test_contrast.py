"""Colour contrast of the kiosk's theme, computed from the same colours the QSS uses (WCAG 2.x):
text at least 4.5:1 on what it sits on, focus rings and control borders at least 3:1."""

from __future__ import annotations

import re

import pytest

from kiosk import assets
from ui.style import stylesheet, theme


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


TEXT_PAIRS = [
    ("text", "background"),
    ("text", "surface"),
    ("muted", "background"),
    ("muted", "surface"),
    ("on_primary", "primary"),
    ("on_primary", "primary_pressed"),
    ("primary", "surface"),
    ("primary", "background"),
    ("primary", "info_surface"),
    ("text", "info_surface"),
    ("error", "error_surface"),
    ("error", "surface"),
    ("on_primary", "success"),
    ("text", "outline"),  # disabled primary button text
]
# The focus ring is drawn outside a control, against the screen's background or a card.
UI_PAIRS = [
    ("focus", "background"),
    ("focus", "surface"),
    ("primary", "background"),
    ("error", "surface"),
]


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_text_contrast(fg: str, bg: str) -> None:
    colours = theme()
    assert contrast(colours[fg], colours[bg]) >= 4.5, f"{fg} on {bg}"


@pytest.mark.parametrize(("fg", "bg"), UI_PAIRS)
def test_focus_and_control_contrast(fg: str, bg: str) -> None:
    colours = theme()
    assert contrast(colours[fg], colours[bg]) >= 3.0, f"{fg} against {bg}"


def test_stylesheet_uses_only_theme_colours() -> None:
    raw = assets.read_text("styles", "kiosk.qss")
    assert not re.search(r"#[0-9A-Fa-f]{3,6}\b", raw), "colours belong in theme.toml"
    assert not re.search(r"@[a-z_]+", stylesheet()), "every @name must be a theme colour"
