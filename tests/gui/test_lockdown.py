"""An unattended lobby: the kiosk stays in front through escape attempts, and nothing of one
guest (typed text, clipboard, badge) reaches the next."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.records import replace
from tests.gui.conftest import click, fill_details, to_badge
from ui.app import Kiosk
from ui.demo_tools import type_text
from ui.lockdown import is_escape_attempt

pytestmark = pytest.mark.gui
K, M = Qt.Key, Qt.KeyboardModifier
ESCAPES = [
    (K.Key_F4, M.AltModifier),
    (K.Key_Q, M.ControlModifier),
    (K.Key_W, M.ControlModifier),
    (K.Key_Tab, M.AltModifier),
    (K.Key_F11, M.NoModifier),
    (K.Key_Escape, M.NoModifier),
    (K.Key_Delete, M.ControlModifier | M.AltModifier),
    (K.Key_Backspace, M.ControlModifier | M.AltModifier),
    (K.Key_T, M.ControlModifier | M.AltModifier),
    (K.Key_X, M.ControlModifier | M.AltModifier | M.ShiftModifier),
    (K.Key_Q, M.ControlModifier | M.ShiftModifier),
    (K.Key_W, M.ControlModifier | M.ShiftModifier),
    (K.Key_L, M.MetaModifier),
    (K.Key_D, M.MetaModifier),
    (K.Key_Super_L, M.NoModifier),
    (K.Key_Menu, M.NoModifier),
    (K.Key_F1, M.NoModifier),
    (K.Key_F10, M.NoModifier),
    (K.Key_Space, M.AltModifier),
    (K.Key_F2, M.AltModifier),
    (K.Key_C, M.ControlModifier),
    (K.Key_V, M.ControlModifier),
    (K.Key_N, M.ControlModifier),
    (K.Key_P, M.ControlModifier),
]


@pytest.fixture
def locked(kiosk_factory: Callable[[Config], Kiosk], config: Config, qtbot: QtBot) -> Kiosk:
    kiosk = kiosk_factory(replace(config, lockdown=True))
    assert kiosk.lockdown is not None
    kiosk.lockdown.apply()
    qtbot.waitUntil(kiosk.window.isFullScreen)
    return kiosk


def still_in_front(kiosk: Kiosk) -> bool:
    flags = kiosk.window.windowFlags()
    return (
        kiosk.window.isVisible()
        and kiosk.window.isFullScreen()
        and bool(flags & Qt.WindowType.WindowStaysOnTopHint)
        and bool(flags & Qt.WindowType.FramelessWindowHint)
    )


def test_forty_escape_attempts_leave_the_kiosk_in_front(qtbot: QtBot, locked: Kiosk) -> None:
    attempts = 0
    for screen in ("welcome", "details"):
        if screen == "details":
            click(qtbot, locked.window.welcome.checkin)
        for key, modifiers in ESCAPES:
            target = QApplication.focusWidget() or locked.window
            qtbot.keyClick(target, key, modifiers)
            attempts += 1
        QApplication.sendEvent(
            locked.window,
            QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(5, 5), QPoint(5, 5)),
        )
        qtbot.mouseClick(locked.window, Qt.MouseButton.RightButton)
        locked.window.close()
        locked.window.showNormal()
        attempts += 4
        qtbot.waitUntil(lambda: still_in_front(locked), timeout=2_000)
        assert locked.flow.step.value == screen
    assert attempts >= 40
    assert locked.lockdown is not None and locked.lockdown.blocked >= 40


def test_typing_still_works_under_lockdown(qtbot: QtBot, locked: Kiosk) -> None:
    click(qtbot, locked.window.welcome.checkin)
    name = locked.window.details.name
    qtbot.keyClicks(name, "Ada Lovelace")
    assert name.text() == "Ada Lovelace"
    at_sign = QKeyEvent(QEvent.Type.KeyPress, K.Key_At, M.ControlModifier | M.AltModifier, "@")
    assert not is_escape_attempt(at_sign)  # AltGr+Q types @ on a German keyboard


def test_escapes_and_a_right_click_from_the_platform_stop_at_the_window(
    qtbot: QtBot, locked: Kiosk
) -> None:
    """Keys and clicks as the platform delivers them (to the window, not to a widget): the
    lockdown watches where input arrives, not every event of the application."""
    click(qtbot, locked.window.welcome.checkin)
    locked.window.activateWindow()
    handle = locked.window.windowHandle()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is handle)
    name = locked.window.details.name
    name.setFocus()
    lockdown = locked.lockdown
    assert lockdown is not None
    before = lockdown.blocked
    for key, modifiers in ESCAPES:
        QTest.keyClick(handle, key, modifiers)
    QTest.mouseClick(
        handle, Qt.MouseButton.RightButton, pos=name.mapTo(locked.window, QPoint(5, 5))
    )
    assert lockdown.blocked >= before + len(ESCAPES) + 1
    assert still_in_front(locked) and locked.flow.step.value == "details"
    name.clear()  # Ctrl+Alt+T and X typed their letters, as AltGr does on many keyboards
    for key in (K.Key_A, K.Key_D, K.Key_A):  # typing through the window still reaches the field
        QTest.keyClick(handle, key)
    assert name.text() == "ada"


def test_nothing_of_one_guest_reaches_the_next(qtbot: QtBot, kiosk: Kiosk) -> None:
    canary = "Prevguest Canary"
    click(qtbot, kiosk.window.welcome.checkin)
    fill_details(qtbot, kiosk, name=canary, email="prev.canary@example.com")
    QGuiApplication.clipboard().setText(canary)
    kiosk.flow.reset()
    to_badge(qtbot, kiosk, name="Secondguest Canary", email="second.canary@example.com")
    kiosk.flow.idle_timer.setInterval(10)
    kiosk.flow.idle_timer.start()
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "welcome")
    assert QGuiApplication.clipboard().text() == ""
    texts = [
        w.text() for w in kiosk.window.findChildren(QLabel) + kiosk.window.findChildren(QLineEdit)
    ]
    texts += [w.placeholderText() for w in kiosk.window.findChildren(QLineEdit)]
    assert not [t for t in texts if "canary" in t.lower()]
    assert kiosk.window.badge.qr.pixmap().isNull()
    for edit in kiosk.window.findChildren(QLineEdit):
        edit.undo()
        assert "canary" not in edit.text().lower()
    type_text(kiosk.window.details.host, "pr")  # the host search remembers nothing either
    assert not kiosk.window.details.host.results.findChildren(QLabel, "canary")


@pytest.mark.parametrize(
    "name",
    [
        "Ada\u202eecalevoL",
        "Zalgo" + "\u0301" * 300,
        "Tom &amp; Jerry &lt;b&gt;",
        "Robert'); DROP TABLE visits;--",
        '=1+2+cmd|"/C calc"!A0',
        "👩\u200d👩\u200d👧 Family",
        "x" * 90 + " " + "y" * 9,
    ],
)
def test_hostile_names_through_the_details_screen(qtbot: QtBot, kiosk: Kiosk, name: str) -> None:
    to_badge(qtbot, kiosk, name=name)
    (visit,) = kiosk.store.visits()
    title = kiosk.window.badge.title
    assert title.textFormat() == Qt.TextFormat.PlainText
    assert visit.first_name in title.text()
    assert "\u202e" not in visit.name and "\x00" not in visit.name


def test_a_name_with_markup_or_a_link_gets_a_message_not_a_badge(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    click(qtbot, kiosk.window.welcome.checkin)
    fill_details(qtbot, kiosk, name='<a href="https://evil.example/login">Amy</a>')
    click(qtbot, kiosk.window.details.next)
    assert kiosk.flow.step.value == "details"
    assert "網址" in kiosk.window.details.name_field.error.text()  # the site's default language
    assert kiosk.store.visits() == []


def test_a_10_kb_name_gets_a_message_not_a_crash(qtbot: QtBot, kiosk: Kiosk) -> None:
    click(qtbot, kiosk.window.welcome.checkin)
    fill_details(qtbot, kiosk, name="n" * 10_240)
    click(qtbot, kiosk.window.details.next)
    assert kiosk.flow.step.value == "details"
    assert kiosk.window.details.name_field.has_error()
    assert kiosk.store.visits() == []
