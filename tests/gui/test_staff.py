"""Staff mode: a long press on the site name, a PIN, and (under lockdown) the only way out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.staff import add_staff
from tests.gui.conftest import click
from ui.app import Kiosk
from ui.demo import type_text

pytestmark = pytest.mark.gui


def test_long_press_pin_and_leaving_lockdown(
    qtbot: QtBot, kiosk_factory: Callable[[Config], Kiosk], config: Config
) -> None:
    kiosk = kiosk_factory(replace(config, lockdown=True))
    assert kiosk.lockdown is not None
    kiosk.lockdown.apply()
    add_staff(kiosk.store, "Desk", "2468", kiosk.flow.services.checkin._clock())
    site = kiosk.window.site_label
    qtbot.mousePress(site, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(site, Qt.MouseButton.LeftButton)  # a tap is not enough
    assert kiosk.flow.step.value == "welcome"
    kiosk.window.staff_hold.timer.setInterval(20)
    qtbot.mousePress(site, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "staff")
    qtbot.mouseRelease(site, Qt.MouseButton.LeftButton)

    screen = kiosk.window.staff
    type_text(screen.pin, "1111")
    click(qtbot, screen.unlock)
    qtbot.waitUntil(screen.pin_field.error.isVisible)
    assert screen.pin.text() == "" and not screen.menu.isVisible()
    type_text(screen.pin, "2468")
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(screen.menu.isVisible)
    assert "desk" in screen.signed_in.text()
    with qtbot.waitSignal(kiosk.flow.exit_requested):
        click(qtbot, screen.exit_button)
    assert kiosk.lockdown.unlocked


def test_staff_mode_closes_itself_when_left_alone(qtbot: QtBot, kiosk: Kiosk) -> None:
    kiosk.window.staff_requested.emit()
    assert kiosk.flow.idle_timer.interval() == 120_000  # two minutes for staff
    kiosk.flow.idle_timer.setInterval(10)
    kiosk.flow.idle_timer.start()
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "welcome")
    assert kiosk.window.staff.pin.text() == ""
