"""GUI fixtures: the real kiosk, built the way ``ui.app.run`` builds it, on the offscreen platform."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from tests.conftest import FakeClock
from ui.app import Kiosk, build_kiosk, create_application
from ui.demo import type_text

pytestmark = pytest.mark.gui


@pytest.fixture
def kiosk(qapp: QApplication, qtbot: QtBot, config: Config, clock: FakeClock) -> Iterator[Kiosk]:
    app = create_application()
    built = build_kiosk(app, config, clock)
    qtbot.addWidget(built.window)
    built.window.resize(1280, 800)
    built.window.show()
    qtbot.waitExposed(built.window)
    yield built
    app.removeEventFilter(built.activity)
    built.shutdown()


def click(qtbot: QtBot, widget) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def fill_details(
    qtbot: QtBot,
    kiosk: Kiosk,
    name: str = "Ada Lovelace",
    email: str = "ada@example.com",
    purpose: str = "meeting",
    host_index: int = 0,
) -> None:
    details = kiosk.window.details
    type_text(details.name, name)
    type_text(details.email, email)
    click(qtbot, details._purpose_buttons[purpose])
    details.host.setCurrentIndex(host_index)


def to_notice(qtbot: QtBot, kiosk: Kiosk, **fields: str) -> None:
    click(qtbot, kiosk.window.welcome.checkin)
    fill_details(qtbot, kiosk, **fields)  # type: ignore[arg-type]
    click(qtbot, kiosk.window.details.next)
    assert kiosk.flow.step.value == "notice"


def to_badge(qtbot: QtBot, kiosk: Kiosk, **fields: str) -> None:
    to_notice(qtbot, kiosk, **fields)
    click(qtbot, kiosk.window.notice.accept)
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "badge")
    qtbot.waitUntil(lambda: kiosk.window.badge.status_id() != "badge.printing")
