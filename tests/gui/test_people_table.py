"""The staff screens' people table at large text: a word wider than its column is broken inside
the column, never cut at its edge, and its row is tall enough for every line."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QStyleOptionViewItem, QTableWidget
from pytestqt.qtbot import QtBot

from tests.gui.test_staff import staff_list_of
from ui.app import Kiosk
from ui.screens.onsite import HOST, NAME
from ui.screens.people_table import WrappingDelegate, wrapped_lines

pytestmark = pytest.mark.gui

LONG_WORD = "Christophersonbergmann"  # wider than a quarter of the tablet at 200 %


def _ink(picture: QImage, background: QColor) -> QRect:
    """The smallest rectangle holding every pixel that stands out from the background."""
    found = QRect()
    for y in range(picture.height()):
        for x in range(picture.width()):
            if abs(picture.pixelColor(x, y).lightness() - background.lightness()) > 100:
                found = found.united(QRect(x, y, 1, 1))
    return found


@pytest.mark.parametrize("roll_call", [False, True])
@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_a_word_wider_than_its_column_is_broken_inside_it(
    qtbot: QtBot, kiosk: Kiosk, scale: float, roll_call: bool
) -> None:
    """At 200 % Qt's own wrapping (between words only) ran "Christophersonbergmann" past the
    name column's edge, where it was cut off."""
    name = f"Ann {LONG_WORD}"
    screen = staff_list_of(qtbot, kiosk, (name, "Bo Li"), roll_call=roll_call)
    kiosk.window.set_text_scale(scale)
    qtbot.wait(30)  # let the rows take their height at the new size
    table = screen.people
    row = next(r for r in range(table.rowCount()) if screen.name_at(r) == name)
    table.scrollToItem(table.item(row, NAME))
    qtbot.wait(10)
    cell = table.visualItemRect(table.item(row, NAME))
    inside = cell.adjusted(0, 1, -1, -2)  # clear of the grid line and the row's bottom line
    picture = table.viewport().grab(inside).toImage()
    background = picture.pixelColor(picture.width() - 2, 2)

    # The text area is what is left of the cell beside the tick box; a word wider than it is
    # broken, so the text never reaches the cell's edge and shows in as many lines as it needs.
    lines = wrapped_lines(name, table.font(), _text_width(table, row))
    assert "".join(lines).replace(" ", "") == name.replace(" ", "")
    ink = _ink(picture, background)  # the tick box and the name
    assert ink.right() < inside.width() - 2, "the name runs to the column's edge"
    assert ink.height() > (len(lines) - 1) * table.fontMetrics().lineSpacing(), lines
    if scale == 2.0:
        assert len(lines) >= 3  # "Ann", and the long word in two pieces at least
    host = table.visualItemRect(table.item(row, HOST))
    assert abs(host.width() - cell.width()) <= 1  # the columns still share the width


def _text_width(table: QTableWidget, row: int) -> int:
    """The width the table's delegate lays the name out in (as it paints it)."""
    delegate = table.itemDelegate()
    assert isinstance(delegate, WrappingDelegate)
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    option.rect = table.visualItemRect(table.item(row, NAME))
    return delegate.text_width(option, table.model().index(row, NAME))


@pytest.mark.usefixtures("qapp")
def test_a_newline_ends_a_line_however_wide_the_column() -> None:
    """The arrival cell is "7:07 AM" over "12 min on site", measured as it is painted."""
    from PySide6.QtGui import QFont

    assert wrapped_lines("7:07 AM\n12 min", QFont(), 1000) == ["7:07 AM\n", "12 min"]
