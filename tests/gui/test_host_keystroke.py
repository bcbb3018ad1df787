"""What a keystroke in the host field makes Qt do: lay out and paint the proposals and the field,
never the screen beneath them. Each of these, done at every keystroke, was a share of the
type-ahead's time (``make bench``: ``host_search_p99_ms``)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest
from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.models import Host
from kiosk.records import replace
from tests.gui.conftest import click, received, type_where_seen
from ui.app import Kiosk
from ui.demo_tools import type_text
from ui.host_picker import HostSearch
from ui.host_proposals import Suggestion
from ui.window import KioskWindow

pytestmark = pytest.mark.gui
CHENS = tuple(Host(f"h-{n}", f"Chen {name}", "Design") for n, name in enumerate("ABCDEFGH"))
ROUNDS = 5  # rounds of events after a keystroke: a layout passed up the screen takes two or three


@pytest.fixture
def field(qtbot: QtBot, kiosk_factory: Callable[[Config], Kiosk], config: Config) -> HostSearch:
    """The host field of the details form, eight hosts called Chen (five proposals for "ch"),
    with nothing typed yet and nothing left to lay out or paint."""
    kiosk = kiosk_factory(replace(config, hosts=CHENS))
    click(qtbot, kiosk.window.welcome.checkin)
    host = kiosk.window.details.host
    assert isinstance(host, HostSearch)
    type_where_seen(kiosk, host, "ch")
    host.clear_choice()
    _settle(qtbot)
    return host


def _settle(qtbot: QtBot) -> None:
    qtbot.wait(50)
    for _ in range(ROUNDS):
        QApplication.processEvents()


def _keystroke(field: HostSearch, key: str) -> None:
    type_text(field, key)
    for _ in range(ROUNDS):
        QApplication.processEvents()


def _outside(field: HostSearch, widgets: list[QWidget]) -> list[str]:
    """Names of the widgets that are neither the field nor the proposals' frame or in it, nor
    the frame's holder (a widget without a layout: told to lay itself out, it does nothing)."""
    frame = field.results
    holder = frame.parentWidget()
    mine = {field, frame} | ({holder} if holder is not None and holder.layout() is None else set())
    return [
        widget.objectName() or type(widget).__name__
        for widget in widgets
        if widget not in mine and not frame.isAncestorOf(widget)
    ]


def test_a_keystroke_lays_out_the_proposals_not_the_screen(qtbot: QtBot, field: HostSearch) -> None:
    """The frame's own layout, laid out, asked the screen to lay itself out again, and the
    screen's scroller then measured every wrapped label on the form; so did the frame shown or
    hidden in the screen itself (the first letter, the field cleared)."""
    with received(QEvent.Type.LayoutRequest) as laid_out:
        _keystroke(field, "c")
    assert field.results.isVisible()
    assert _outside(field, laid_out) == []
    type_text(field, "hen ")
    _settle(qtbot)
    assert len(field.suggestions) == 5
    with received(QEvent.Type.LayoutRequest) as laid_out:
        _keystroke(field, "g")  # one proposal: the frame shrinks
    assert [button.text() for button in field.suggestions] == ["Chen G  ·  Design"]
    assert _outside(field, laid_out) == []
    with received(QEvent.Type.LayoutRequest) as laid_out:
        field.clear_choice()
        _settle(qtbot)
    assert not field.results.isVisible()
    assert _outside(field, laid_out) == []


def test_proposals_opening_and_growing_repaint_nothing_beneath_them(field: HostSearch) -> None:
    """The note for one letter, then five proposals over the form: the frame is placed before it
    shows, and moved and resized in one step, so no part of the form is uncovered on the way."""
    with received(QEvent.Type.Paint) as painted:
        _keystroke(field, "c")
    assert field.results.isVisible() and not field.suggestions  # "keep typing"
    assert _outside(field, painted) == []
    with received(QEvent.Type.Paint) as painted:
        _keystroke(field, "h")
    assert len(field.suggestions) == 5
    assert _outside(field, painted) == []


def test_a_keystroke_measures_no_proposal_again(
    field: HostSearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proposal is one line of text whatever the name, so its height is measured once. Asked
    again after each new name, the button measured its text a third time (after fitting it and
    before painting it): 0.13 of the ~1.4 ms keystroke that fills five proposals."""
    measured: list[Suggestion] = []

    def size_hint(button: Suggestion) -> QSize:
        measured.append(button)
        return QPushButton.sizeHint(button)

    monkeypatch.setattr(Suggestion, "sizeHint", size_hint)
    for key in "chen":
        _keystroke(field, key)
    assert len(field.suggestions) == 5
    field.clear_choice()
    _keystroke(field, "c")
    _keystroke(field, "h")
    assert len(field.suggestions) == 5
    assert measured == []


def test_a_new_text_size_measures_the_proposals_again(qtbot: QtBot, field: HostSearch) -> None:
    """Their height remembered from the usual text size, the proposals at 200 % were laid out
    over one another (their style's least height keeps each one whole) and out of the frame."""
    _keystroke(field, "c")
    _keystroke(field, "h")
    usual = [button.height() for button in field.suggestions]
    window = field.window()
    assert isinstance(window, KioskWindow)
    window.set_text_scale(2.0)
    _settle(qtbot)
    large = [button.height() for button in field.suggestions]
    assert large and min(large) > max(usual)
    shown = field.suggestions
    for button in shown:
        assert button.height() >= QPushButton.sizeHint(button).height()
    for button, below in pairwise(shown):
        assert below.y() >= button.y() + button.height()  # one under the other, not over it
    frame = field.results
    assert frame.contentsRect().contains(shown[-1].geometry())
