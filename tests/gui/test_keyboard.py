"""Keyboard and screen-reader use: focus follows reading order, Enter picks a proposal, the
notice is read before it can be accepted, and nothing that does nothing takes focus."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.models import Host
from kiosk.records import replace
from tests.gui.conftest import click, to_notice
from ui.app import Kiosk
from ui.demo_tools import type_text
from ui.host_picker import HostSearch

pytestmark = pytest.mark.gui


def _focus_chain(screen: QWidget) -> list[QWidget]:
    """The widgets Tab visits on ``screen``, in order, from its first focusable child."""
    start = next(
        w
        for w in screen.findChildren(QWidget)
        if w.isVisible() and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isEnabled()
    )
    chain, widget = [start], start.nextInFocusChain()
    while widget is not start and len(chain) < 200:
        inside = screen.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled()
        if inside and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def _reading_position(widget: QWidget, screen: QWidget) -> tuple[int, int]:
    top_left = widget.mapTo(screen, widget.rect().topLeft())
    return top_left.y(), top_left.x()


def test_details_focus_follows_reading_order(
    qtbot: QtBot, kiosk_factory: Callable[[Config], Kiosk], config: Config
) -> None:
    mail = "mailto://127.0.0.1:9/?from=kiosk@example.org"
    kiosk = kiosk_factory(replace(config, visitor_copy=True, notify_email_url=mail))
    kiosk.flow.set_language("en")
    click(qtbot, kiosk.window.welcome.checkin)
    details = kiosk.window.details
    chain = _focus_chain(details)
    # Left column top to bottom (email copy before the host), then the purposes, then buttons.
    expected = [details.name, details.email, details.copy, details.host]
    assert [w for w in chain if w in expected] == expected
    assert chain.index(details.copy) < chain.index(details.next)
    assert chain[-2:] == [details.cancel, details.next]


def test_every_screen_has_no_unnamed_focus_stop(qtbot: QtBot, kiosk: Kiosk) -> None:
    for scroller in kiosk.window.findChildren(QAbstractScrollArea):
        if scroller.objectName() == "screenScroller":
            assert scroller.focusPolicy() == Qt.FocusPolicy.NoFocus
    for screen in kiosk.window.screens.values():
        for widget in screen.findChildren(QWidget):
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(screen):
                assert widget.accessibleName() or hasattr(widget, "text"), widget.objectName()


def test_enter_on_a_highlighted_proposal_picks_that_host(
    qtbot: QtBot, kiosk_factory: Callable[[Config], Kiosk], config: Config
) -> None:
    hosts = (Host("h-a", "Chen Ada", "Design"), Host("h-b", "Chen Bo", "Finance"))
    kiosk = kiosk_factory(replace(config, hosts=hosts))
    click(qtbot, kiosk.window.welcome.checkin)
    host = kiosk.window.details.host
    assert isinstance(host, HostSearch)
    type_text(host, "chen")  # two matches
    kiosk.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is host)
    proposals = host.suggestions
    assert len(proposals) == 2
    qtbot.keyClick(host, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is proposals[0]
    qtbot.keyClick(proposals[0], Qt.Key.Key_Down)
    assert QApplication.focusWidget() is proposals[1]
    chosen = proposals[1].accessibleName()
    with qtbot.waitSignal(host.picked):
        qtbot.keyClick(proposals[1], Qt.Key.Key_Return)
    assert host.text() == chosen and host.host_id() == "h-b"
    assert QApplication.focusWidget() is host  # not the Aa button, not nowhere


def test_the_notice_is_focused_first_and_enter_does_not_accept(qtbot: QtBot, kiosk: Kiosk) -> None:
    to_notice(qtbot, kiosk)
    notice = kiosk.window.notice
    assert QApplication.focusWidget() is notice.text
    qtbot.keyClick(notice.text, Qt.Key.Key_Return)
    assert kiosk.flow.step.value == "notice" and kiosk.store.visits() == []


def test_the_privacy_contact_is_text_not_a_dead_link(qtbot: QtBot, kiosk: Kiosk) -> None:
    to_notice(qtbot, kiosk)
    text = kiosk.window.notice.text
    document = text.document()
    assert kiosk.config.privacy_contact in document.toPlainText()
    assert "href" not in document.toHtml()
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            assert not iterator.fragment().charFormat().isAnchor()
            iterator += 1
        block = block.next()


def _in_reading_order(chain: list[QWidget], screen: QWidget) -> list[str]:
    """Pairs where Tab goes back up the screen, or leftwards within one row."""
    problems = []
    for first, second in itertools.pairwise(chain):
        (y1, x1), (y2, x2) = _reading_position(first, screen), _reading_position(second, screen)
        same_row = abs(y1 - y2) < max(first.height(), second.height()) // 2
        if (same_row and x2 < x1) or (not same_row and y2 < y1):
            problems.append(f"{first.objectName()} → {second.objectName()}")
    return problems


# Details reads in two columns (contact, then purpose): its own test above checks that order.
@pytest.mark.parametrize(
    "step",
    [
        "welcome",
        "notice",
        "staff",
        "onsite",
        "invitation",
        "report",
        "checkout",
        "badge",
    ],
)
def test_tab_follows_reading_order_on_every_screen(qtbot: QtBot, kiosk: Kiosk, step: str) -> None:
    from tests.gui.test_screens import go_to

    kiosk.flow.set_language("en")
    go_to(qtbot, kiosk, step)
    qtbot.wait(10)
    screen = kiosk.window.current_screen()
    chain = _focus_chain(screen)
    assert _in_reading_order(chain, screen) == []


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_a_long_answer_shows_its_start_once_the_guest_moves_on(
    qtbot: QtBot, kiosk: Kiosk, scale: float
) -> None:
    """At 200 % the name field kept showing where the typing ended: "dra Montgomery-Smith"
    while the guest read over the rest of the form. Moving on shows the answer from its start;
    the window losing the focus for a moment leaves the cursor where the guest was typing."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QFocusEvent

    kiosk.window.set_text_scale(scale)
    click(qtbot, kiosk.window.welcome.checkin)
    details = kiosk.window.details
    name = "Alexandra Montgomery-Smith of Lower Wyndham"
    type_text(details.name, name)
    assert details.name.hasFocus() and details.name.cursorPosition() == len(name)

    away = QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.ActiveWindowFocusReason)
    QApplication.sendEvent(details.name, away)
    assert details.name.cursorPosition() == len(name)  # back in a moment, typing on

    qtbot.keyClick(details.name, Qt.Key.Key_Tab)
    qtbot.waitUntil(details.email.hasFocus)
    assert details.name.cursorPosition() == 0
    assert details.name.cursorRect().left() < details.name.width() // 4  # the start in view
    assert details.name.text() == name
