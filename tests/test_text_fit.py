"""Fitting a guest's words into a box (badges, the roll-call sheet): where lines break, and text
that would break lines by itself."""

from __future__ import annotations

import pytest

from kiosk.models import BadgeContent
from kiosk.text_fit import fit_lines, one_line, wrap
from printers.labels import label
from printers.layout import font, render_badge

BOLD = font(60, bold=True)


def _width_of(text: str) -> int:
    return int(BOLD.getlength(text)) + 1


def test_a_word_wider_than_a_line_breaks_after_a_hyphen_before_it_breaks_between_letters() -> None:
    width = _width_of("lobby-east-")
    assert wrap("lobby-east-entrance", BOLD, width) == ["lobby-east-", "entrance"]
    assert wrap("09:00 lobby-east-entrance", BOLD, width) == ["09:00", "lobby-east-", "entrance"]


def test_a_hyphenated_name_that_fits_a_line_moves_to_the_next_line_whole() -> None:
    width = _width_of("Montgomery-Smithington")
    lines = wrap("Christopher Montgomery-Smithington", BOLD, width)
    assert lines == ["Christopher", "Montgomery-Smithington"]


def test_a_part_still_too_wide_breaks_between_letters() -> None:
    width = _width_of("Wolfeschlegel")
    lines = wrap("Wolfeschlegelsteinhausen-Berg", BOLD, width)
    assert "".join(lines) == "Wolfeschlegelsteinhausen-Berg"
    assert all(BOLD.getlength(line) <= width for line in lines)
    assert lines[-1] == "Berg"


@pytest.mark.parametrize(
    "breaker", ["\n", "\r\n", "\u2029", "\u2028", "\x85", "\x1c", "\x1d", "\x1e", "\v"]
)
def test_text_with_a_line_break_is_measured_as_one_line(breaker: str) -> None:
    """Pillow cannot measure text with a line or paragraph break (raqm_layout() failed)."""
    text = f"Ann{breaker}Lee"
    assert one_line(text) == "Ann Lee"
    assert fit_lines(text, 2000, 60, 30, 2, lambda size: font(size, bold=True))[0] == ["Ann Lee"]


def test_a_badge_whose_host_holds_a_line_break_still_prints() -> None:
    """A host's name comes from the directory (the hub's, for a kiosk that syncs)."""
    content = BadgeContent(
        "Ann\u2029Lee", "Mei\nChen", "2026-11-30", "LKB1:X", "AB12", "Demo", "Visitor", "Host"
    )
    image = render_badge(content, label("dk-11202"))
    assert image.getbbox() is not None
