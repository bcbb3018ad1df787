"""The idle timer hears the guest: input delivered as the platform delivers it (to the kiosk's
windows, and an input method's text to the focused field) restarts it, and nothing else runs
Python on its behalf."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

import ui.app
from kiosk.config import Config
from kiosk.records import replace
from tests.gui.conftest import click
from ui.activity import ActivityWatch
from ui.app import Kiosk
from ui.host_picker import HostSearch

pytestmark = pytest.mark.gui


def _on_details(qtbot: QtBot, kiosk: Kiosk) -> None:
    click(qtbot, kiosk.window.welcome.checkin)
    assert kiosk.flow.step.value == "details"
    kiosk.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWindow() is kiosk.window.windowHandle())


def test_a_tap_a_key_and_an_input_method_commit_each_keep_the_guest(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    _on_details(qtbot, kiosk)
    timer, window = kiosk.flow.idle_timer, kiosk.window.windowHandle()
    title = kiosk.window.details.name_field.title  # a label: tapping it changes nothing

    timer.stop()
    QTest.mouseClick(window, Qt.MouseButton.LeftButton, pos=title.mapTo(kiosk.window, QPoint(2, 2)))
    assert timer.isActive()

    kiosk.window.details.name.setFocus()
    timer.stop()
    QTest.keyClick(window, Qt.Key.Key_A)
    assert timer.isActive() and kiosk.window.details.name.text() == "a"

    timer.stop()
    commit = QInputMethodEvent()
    commit.setCommitString("陳")  # an IME sends its text to the focused field, not the window
    QApplication.sendEvent(kiosk.window.details.name, commit)
    assert timer.isActive() and kiosk.window.details.name.text() == "a陳"


def test_a_key_in_an_open_popup_keeps_the_guest(
    qtbot: QtBot, kiosk_factory: Callable[[Config], Kiosk], config: Config
) -> None:
    kiosk = kiosk_factory(replace(config, host_picker="list"))
    _on_details(qtbot, kiosk)
    hosts = kiosk.window.details.host
    assert isinstance(hosts, QComboBox)
    tap = hosts.mapTo(kiosk.window, hosts.rect().center())
    QTest.mouseClick(kiosk.window.windowHandle(), Qt.MouseButton.LeftButton, pos=tap)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
    popup = QApplication.activePopupWidget()
    assert popup.window() is not kiosk.window
    kiosk.flow.idle_timer.stop()
    QTest.keyClick(popup.windowHandle(), Qt.Key.Key_Down)
    assert kiosk.flow.idle_timer.isActive()
    hosts.hidePopup()


class _CountingWatch(ActivityWatch):
    handed = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        _CountingWatch.handed += 1
        return super().eventFilter(watched, event)


def test_a_keystroke_hands_the_watch_a_few_events_not_every_widgets(
    qtbot: QtBot,
    kiosk_factory: Callable[[Config], Kiosk],
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every paint, move, resize and layout request Qt sends a widget went through an
    application-wide filter's Python: about 60 for the keystroke that turns the host search's
    note into five proposals, a quarter of its time."""
    monkeypatch.setattr(ui.app, "ActivityWatch", _CountingWatch)
    kiosk = kiosk_factory(config)
    _on_details(qtbot, kiosk)
    field = kiosk.window.details.host
    assert isinstance(field, HostSearch)
    field.setFocus()
    QTest.keyClick(kiosk.window.windowHandle(), Qt.Key.Key_A)
    QApplication.processEvents()
    kiosk.flow.idle_timer.stop()
    _CountingWatch.handed = 0
    QTest.keyClick(kiosk.window.windowHandle(), Qt.Key.Key_M)
    QApplication.processEvents()
    assert field.text() == "am" and field.suggestions  # the note gave way to five proposals
    assert kiosk.flow.idle_timer.isActive()
    assert 0 < _CountingWatch.handed <= 25  # 15 here; 62 with a filter on the application


def test_a_stopped_watch_hears_nothing_of_later_windows(qtbot: QtBot) -> None:
    heard: list[str] = []
    first = QWidget()
    qtbot.addWidget(first)
    watch = ActivityWatch(QApplication.instance(), first, lambda: heard.append("input"))  # type: ignore[arg-type]
    watch.stop()
    watch.stop()  # a kiosk may be shut down twice (by the app and by its caller)
    _tap_and_type_in_a_later_window(qtbot)
    assert heard == []


def _tap_and_type_in_a_later_window(qtbot: QtBot) -> None:
    """A new window takes the focus (as the next kiosk's would), and is tapped and typed in."""
    later = QWidget()
    qtbot.addWidget(later)
    later.show()
    qtbot.waitExposed(later)
    later.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWindow() is later.windowHandle())
    QTest.mouseClick(later.windowHandle(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    QTest.keyClick(later.windowHandle(), Qt.Key.Key_A)


def test_a_watch_gone_without_being_stopped_leaves_no_errors_behind(qtbot: QtBot) -> None:
    """A kiosk that ends without its shutdown (an error on the way out) loses its watch first:
    the focus moving afterwards, as the windows close, raised "Internal C++ object
    (ActivityWatch) already deleted" once for every move."""
    heard: list[str] = []
    first = QWidget()
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    field = QLineEdit(first)
    field.show()
    field.setFocus()
    watch = ActivityWatch(QApplication.instance(), first, lambda: heard.append("input"))  # type: ignore[arg-type]
    shiboken6.delete(watch)
    _tap_and_type_in_a_later_window(qtbot)
    assert heard == []
