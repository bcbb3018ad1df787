"""Where the host proposals appear: whole, on screen and tappable, whatever the screen's height
and the text size."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QPushButton,
    QStyle,
    QStyleOptionButton,
)
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.models import Host
from kiosk.records import replace
from tests.gui.conftest import click, type_where_seen
from ui.app import Kiosk
from ui.host_picker import HostSearch
from ui.host_proposals import ProposalFrame, Suggestion
from ui.style import theme

pytestmark = pytest.mark.gui
CHENS = tuple(Host(f"h-{n}", f"Chen {name}", "Design") for n, name in enumerate("ABCDEFGH"))


@pytest.fixture
def chens(kiosk_factory: Callable[[Config], Kiosk], config: Config) -> Kiosk:
    """The kiosk with eight hosts called Chen: more than five proposals for "chen"."""
    return kiosk_factory(replace(config, hosts=CHENS))


def _search(qtbot: QtBot, kiosk: Kiosk, text: str) -> HostSearch:
    click(qtbot, kiosk.window.welcome.checkin)
    field = kiosk.window.details.host
    assert isinstance(field, HostSearch)
    type_where_seen(kiosk, field, text)
    return field


def _frame_on_screen(kiosk: Kiosk, field: HostSearch) -> QRect:
    """The proposals' frame in the details screen's coordinates (it floats in a holder)."""
    return QRect(field.results.mapTo(kiosk.window.details, QPoint(0, 0)), field.results.size())


def _on_screen_and_tappable(kiosk: Kiosk, field: HostSearch) -> QRect:
    """The proposals' frame, checked to be inside the part of the screen a guest sees, clear of
    the field, and with every proposal the widget under its own centre."""
    frame = _frame_on_screen(kiosk, field)
    screen = kiosk.window.details
    assert screen.visibleRegion().boundingRect().contains(frame)
    assert not frame.intersects(QRect(field.mapTo(screen, field.rect().topLeft()), field.size()))
    for proposal in field.suggestions:
        centre = proposal.mapTo(kiosk.window, proposal.rect().center())
        assert kiosk.window.childAt(centre) is proposal
    return frame


def test_five_proposals_all_show_on_a_1280_by_800_tablet(qtbot: QtBot, chens: Kiosk) -> None:
    """Placed under the host field, the fourth and fifth were off the bottom of the screen."""
    kiosk = chens
    field = _search(qtbot, kiosk, "chen")
    assert len(field.suggestions) == 5
    frame = _on_screen_and_tappable(kiosk, field)
    assert frame.bottom() < field.mapTo(kiosk.window.details, field.rect().topLeft()).y()


def test_proposals_open_under_the_field_where_there_is_room(qtbot: QtBot, chens: Kiosk) -> None:
    kiosk = chens
    kiosk.window.resize(1280, 1400)
    QApplication.processEvents()
    field = _search(qtbot, kiosk, "chen")
    assert len(field.suggestions) == 5
    frame = _on_screen_and_tappable(kiosk, field)
    assert frame.top() > field.mapTo(kiosk.window.details, field.rect().bottomLeft()).y()


def test_large_text_shows_as_many_proposals_as_fit_best_first(qtbot: QtBot, chens: Kiosk) -> None:
    kiosk = chens
    kiosk.window.set_text_scale(2.0)
    QApplication.processEvents()
    field = _search(qtbot, kiosk, "chen")
    _on_screen_and_tappable(kiosk, field)
    visible = [button for button in field.results.findChildren(Suggestion) if button.isVisible()]
    assert visible == field.suggestions and 1 <= len(visible) < 5
    best = [host.name for host in kiosk.service.directory.search("chen")][: len(visible)]
    assert [button.accessibleName() for button in visible] == best
    with qtbot.waitSignal(field.picked):
        click(qtbot, visible[-1])
    assert field.host_id() == CHENS[[h.name for h in CHENS].index(best[-1])].id


@pytest.mark.parametrize("how", ["cleared", "picked"])
def test_closed_proposals_leave_nothing_where_they_were_to_catch_a_tap(
    qtbot: QtBot, chens: Kiosk, how: str
) -> None:
    """The frame floats in a holder of its own size; closed, the holder shrinks to nothing, and
    a tap where the proposals were reaches the form beneath."""
    kiosk = chens
    field = _search(qtbot, kiosk, "chen")
    holder = field.results.parentWidget()
    where = kiosk.window.details.mapTo(kiosk.window, _frame_on_screen(kiosk, field).center())
    assert field.results.isAncestorOf(kiosk.window.childAt(where))
    if how == "cleared":
        field.clear_choice()
    else:
        with qtbot.waitSignal(field.picked):
            click(qtbot, field.suggestions[0])
    QApplication.processEvents()
    under = kiosk.window.childAt(where)
    assert under is not None and under is not holder and not field.results.isAncestorOf(under)


def test_the_frame_on_the_card_paints_itself_whole(qtbot: QtBot, chens: Kiosk) -> None:
    """Over the form's card the proposals' frame paints its corners itself, in the card's colour
    (so the fields under it are not repainted at each keystroke). Only the corners differ from
    letting the screen show through, where a label under them no longer peeks in."""
    kiosk = chens
    field = _search(qtbot, kiosk, "chen")
    frame = field.results
    assert frame.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # it lies on the card
    area = QRect(frame.mapTo(kiosk.window, frame.rect().topLeft()), frame.size())
    itself = kiosk.window.grab(area).toImage()
    frame.lie_on_surface(False)
    through = kiosk.window.grab(area).toImage()
    w, h, radius = itself.width(), itself.height(), 12
    corners = [QRect(x, y, radius, radius) for x in (0, w - radius) for y in (0, h - radius)]
    differ = [
        QPoint(x, y)
        for y in range(h)
        for x in range(w)
        if itself.pixel(x, y) != through.pixel(x, y)
    ]
    assert all(any(corner.contains(point) for corner in corners) for point in differ)
    surface = QColor(theme()["surface"]).rgb()
    assert {itself.pixel(x, y) for x, y in ((0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1))} == {
        surface
    }


def test_the_frame_off_the_card_lets_the_screen_show_through(qtbot: QtBot, chens: Kiosk) -> None:
    kiosk = chens
    kiosk.window.resize(1280, 1000)  # room under the field only past the card's edge
    QApplication.processEvents()
    field = _search(qtbot, kiosk, "chen")
    card = kiosk.window.details.findChild(QFrame, "card")
    frame = _frame_on_screen(kiosk, field)
    field_bottom = field.mapTo(kiosk.window.details, field.rect().bottomLeft()).y()
    assert frame.y() > field_bottom and frame.bottom() > card.geometry().bottom()
    assert not field.results.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)


def test_open_proposals_stay_whole_on_screen_through_text_size_changes(
    qtbot: QtBot, chens: Kiosk
) -> None:
    """Placed for the old text size, they ran off the screen at the new one."""
    kiosk = chens
    field = _search(qtbot, kiosk, "chen")
    assert len(field.suggestions) == 5
    kiosk.window.set_text_scale(2.0)
    assert field.results.isVisible() and 1 <= len(field.suggestions) < 5
    _on_screen_and_tappable(kiosk, field)
    kiosk.window.set_text_scale(1.0)
    assert field.results.isVisible() and len(field.suggestions) == 5
    _on_screen_and_tappable(kiosk, field)


def test_the_field_being_typed_in_stays_in_sight_when_the_text_grows(
    qtbot: QtBot, chens: Kiosk
) -> None:
    """At 200 % the form is taller than the screen; the host field, last on it, went below the
    fold while the guest went on typing in it."""
    kiosk = chens
    field = _search(qtbot, kiosk, "ch")
    kiosk.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field)
    aa = kiosk.window.text_size
    tap = aa.mapTo(kiosk.window, aa.rect().center())
    QTest.mouseClick(kiosk.window.windowHandle(), Qt.MouseButton.LeftButton, pos=tap)
    assert kiosk.window.text_scale != 1.0
    assert QApplication.focusWidget() is field  # the tap left the focus where the guest types
    details = kiosk.window.details
    seen = details.visibleRegion().boundingRect()
    assert seen.contains(QRect(field.mapTo(details, field.rect().topLeft()), field.size()))
    QTest.keyClick(kiosk.window.windowHandle(), Qt.Key.Key_E)
    QApplication.processEvents()
    assert field.text() == "che" and field.suggestions
    _on_screen_and_tappable(kiosk, field)


def test_a_name_too_long_for_its_proposal_ends_in_an_ellipsis_not_mid_letter(
    qtbot: QtBot, kiosk_factory: Callable[[Config], Kiosk], config: Config
) -> None:
    long = Host("h-long", "Maximiliana Wolstenholme 陳", "Design")
    kiosk = kiosk_factory(replace(config, hosts=(long,)))
    field = _search(qtbot, kiosk, "maxim")
    (proposal,) = field.suggestions
    whole = f"{long.name}  ·  {long.department}"
    assert proposal.text() == whole  # it fits at the usual size
    kiosk.window.set_text_scale(2.0)
    (proposal,) = field.suggestions
    option = QStyleOptionButton()
    proposal.initStyleOption(option)
    room = proposal.style().subElementRect(
        QStyle.SubElement.SE_PushButtonContents, option, proposal
    )
    assert proposal.text().endswith("…") and whole.startswith(proposal.text()[:-1])
    assert proposal.fontMetrics().horizontalAdvance(proposal.text()) <= room.width()
    assert proposal.accessibleName() == long.name  # a screen reader still hears all of it
    kiosk.window.set_text_scale(1.0)
    assert field.suggestions[0].text() == whole


def _as_the_style_sheet_draws(proposal: Suggestion) -> QPushButton:
    """A plain button in the proposal's place, drawn by the style sheet alone."""
    plain = QPushButton(proposal.text(), proposal.parentWidget())
    plain.setObjectName("choice")
    plain.setGeometry(proposal.geometry())
    plain.show()
    return plain


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_a_proposal_draws_its_name_as_the_style_sheet_would(
    qtbot: QtBot, chens: Kiosk, scale: float
) -> None:
    """At rest a proposal draws only its name (the rest is the frame's colour): pixel for pixel
    what the style sheet draws, at either text size. With the focus, its ring shows as the style
    sheet draws it."""
    kiosk = chens
    kiosk.window.set_text_scale(scale)
    field = _search(qtbot, kiosk, "chen")
    proposal = field.suggestions[-1]
    frame = field.results
    place = proposal.geometry()
    drawn = frame.grab(place).toImage()
    plain = _as_the_style_sheet_draws(proposal)
    proposal.hide()
    assert frame.grab(place).toImage() == drawn
    plain.setFocus()
    ring = frame.grab(place).toImage()
    assert ring != drawn  # (the ring is there to be seen)
    plain.hide()
    plain.deleteLater()
    proposal.show()
    proposal.setFocus()
    QApplication.processEvents()
    assert proposal.hasFocus() and frame.grab(place).toImage() == ring


def test_the_frame_is_drawn_anew_for_a_new_text_size(qtbot: QtBot, chens: Kiosk) -> None:
    """The frame is drawn once per size and then copied; the text size changes its border's
    radius, so a frame of the same size at another text size is drawn again."""
    kiosk = chens
    click(qtbot, kiosk.window.welcome.checkin)
    screen = kiosk.window.details

    def frame_on_the_card() -> ProposalFrame:
        frame = ProposalFrame(screen)
        frame.setGeometry(40, 40, 400, 240)
        frame.show()  # (its style, applied as it is first shown, makes it see-through)
        frame.lie_on_surface(True)
        return frame

    frame = frame_on_the_card()
    before = frame.grab().toImage()
    kiosk.window.set_text_scale(2.0)
    frame.setGeometry(40, 40, 400, 240)
    frame.lie_on_surface(True)
    assert frame.grab().toImage() == frame_on_the_card().grab().toImage() != before
