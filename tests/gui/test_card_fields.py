"""The details form's line edits lie on its card and paint their own corners in the card's
colour (``ui.widgets.CardLineEdit``): a keystroke or a blink of the cursor repaints the field,
not the window, the screen and the card beneath it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionFrame
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.models import Host
from kiosk.records import replace
from tests.gui.conftest import click, received, type_where_seen
from ui.app import Kiosk
from ui.demo_tools import type_text
from ui.widgets import CardLineEdit, Field

pytestmark = pytest.mark.gui
OPAQUE = Qt.WidgetAttribute.WA_OpaquePaintEvent
CHENS = tuple(Host(f"h-{n}", f"Chen {name}", "Design") for n, name in enumerate("ABCDEFGH"))


@pytest.fixture
def chens(kiosk_factory: Callable[[Config], Kiosk], config: Config) -> Kiosk:
    """The kiosk with eight hosts called Chen: five proposals for "ch" and for "che"."""
    return kiosk_factory(replace(config, hosts=CHENS))


def _fields(kiosk: Kiosk) -> dict[str, Field]:
    details = kiosk.window.details
    return {"name": details.name_field, "email": details.email_field, "host": details.host_field}


@pytest.mark.parametrize("scale", [1.0, 2.0])
@pytest.mark.parametrize("which", ["name", "email", "host"])
def test_a_field_on_the_card_looks_as_if_the_card_showed_through(
    qtbot: QtBot, chens: Kiosk, scale: float, which: str
) -> None:
    """Pixel for pixel what the card showing through gave: focused, marked invalid (the
    repolish keeps the field opaque) and at rest."""
    kiosk = chens
    field, editor, area = _typed_in(qtbot, kiosk, scale, which)

    def both() -> tuple[QImage, QImage]:
        assert editor.testAttribute(OPAQUE)
        itself = kiosk.window.grab(area).toImage()
        editor.setAttribute(OPAQUE, False)
        through = kiosk.window.grab(area).toImage()
        editor.setAttribute(OPAQUE, True)
        return itself, through

    assert editor.hasFocus()
    _alike_in_every_state(field, both)


def _typed_in(
    qtbot: QtBot, kiosk: Kiosk, scale: float, which: str
) -> tuple[Field, CardLineEdit, QRect]:
    """The details form at ``scale`` with "ch" typed in field ``which``: the field, its editor
    and where the editor lies in the window."""
    kiosk.window.set_text_scale(scale)
    click(qtbot, kiosk.window.welcome.checkin)
    field = _fields(kiosk)[which]
    editor = field.editor
    assert isinstance(editor, CardLineEdit)
    editor.setFocus()
    type_where_seen(kiosk, editor, "ch")
    return field, editor, QRect(editor.mapTo(kiosk.window, QPoint(0, 0)), editor.size())


def _alike_in_every_state(field: Field, both: Callable[[], tuple[QImage, QImage]]) -> None:
    """``both()`` gives two pictures of the field that must be alike: focused, then marked
    invalid, then at rest (and each state looks unlike the one before)."""
    focused, other = both()
    assert focused == other
    field.show_error("Please check this")
    QApplication.processEvents()
    invalid, other = both()
    assert invalid == other != focused
    field.editor.clearFocus()
    QApplication.processEvents()
    at_rest, other = both()
    assert at_rest == other != invalid


def _draw_own_box(editor: CardLineEdit, own: bool) -> None:
    """The field's box from its picture (``own``) or drawn by the style sheet, as before."""
    editor.setProperty("ownPanel", own)
    editor.style().unpolish(editor)
    editor.style().polish(editor)
    QApplication.sendEvent(editor, QEvent(QEvent.Type.StyleChange))
    QApplication.processEvents()


@pytest.mark.parametrize("scale", [1.0, 2.0])
@pytest.mark.parametrize("which", ["name", "host"])
def test_a_field_s_box_from_its_picture_is_the_box_the_style_sheet_draws(
    qtbot: QtBot, chens: Kiosk, scale: float, which: str
) -> None:
    """Pixel for pixel, focused, marked invalid and at rest, at both text sizes: the picture is
    drawn by the style sheet for a hidden line edit styled as the field would be, and the
    field's own rule draws its text where it stood inside the box."""
    kiosk = chens
    field, editor, area = _typed_in(qtbot, kiosk, scale, which)

    def both() -> tuple[QImage, QImage]:
        own = kiosk.window.grab(area).toImage()
        _draw_own_box(editor, False)
        styled = kiosk.window.grab(area).toImage()
        _draw_own_box(editor, True)
        return own, styled

    assert editor.hasFocus()
    _alike_in_every_state(field, both)


def test_the_style_sheet_draws_none_of_the_field_s_box_at_a_keystroke(
    qtbot: QtBot, chens: Kiosk
) -> None:
    """At every keystroke the style sheet drew the field's rounded box anew (~65 of the field's
    ~110 µs, whatever little had changed); the field now draws it from its picture, and the
    box the style sheet draws for it is nothing at all."""
    click(qtbot, chens.window.welcome.checkin)
    editor = chens.window.details.host
    type_where_seen(chens, editor, "ch")
    option = QStyleOptionFrame()
    editor.initStyleOption(option)
    drawn = QImage(editor.size(), QImage.Format.Format_ARGB32_Premultiplied)
    drawn.fill(Qt.GlobalColor.transparent)
    painter = QPainter(drawn)
    editor.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelLineEdit, option, painter, editor)
    painter.end()
    nothing = QImage(drawn.size(), drawn.format())
    nothing.fill(Qt.GlobalColor.transparent)
    assert drawn == nothing


@pytest.mark.parametrize("which", ["name", "host"])
def test_a_keystroke_repaints_the_field_not_the_card_beneath_it(
    qtbot: QtBot, chens: Kiosk, which: str
) -> None:
    kiosk = chens
    click(qtbot, kiosk.window.welcome.checkin)
    editor = _fields(kiosk)[which].editor
    assert isinstance(editor, CardLineEdit)
    editor.setFocus()
    type_where_seen(kiosk, editor, "ch")  # the host field: five proposals, as for "che" (same size)
    qtbot.wait(50)  # what opening the screen left to paint is painted
    with received(QEvent.Type.Paint) as widgets:
        type_text(editor, "e")
        QApplication.processEvents()
    painted = [widget.objectName() or type(widget).__name__ for widget in widgets]
    assert editor.objectName() in painted
    assert not {"card", "details", "kioskRoot"} & set(painted), painted


def test_a_keystroke_in_a_field_without_an_error_does_not_restyle_it(
    qtbot: QtBot, chens: Kiosk
) -> None:
    """Each keystroke clears the field's error, if any: restyling the field for nothing (its
    style sheet polished again) was over half of a keystroke in the name field (~0.4 of 0.9
    ms). An error shown and fixed still restyles it, twice."""
    kiosk = chens
    click(qtbot, kiosk.window.welcome.checkin)
    field = kiosk.window.details.name_field
    editor = field.editor
    assert isinstance(editor, CardLineEdit)
    editor.setFocus()
    type_where_seen(kiosk, editor, "A")
    restyled: list[QEvent.Type] = []

    class Restyles(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if watched is editor and event.type() == QEvent.Type.StyleChange:
                restyled.append(event.type())
            return False

    restyles = Restyles()
    editor.installEventFilter(restyles)
    type_where_seen(kiosk, editor, "da")
    assert restyled == []
    field.show_error("Please check this")
    type_where_seen(kiosk, editor, "!")  # fixed: the error goes
    assert not field.has_error() and len(restyled) == 2
    editor.removeEventFilter(restyles)
