"""GUI fixtures: the real kiosk, built the way ``ui.app.run`` builds it, on the offscreen platform."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from tests.conftest import FakeClock
from ui.app import Kiosk, build_kiosk
from ui.application import create_application
from ui.demo_tools import pick_host, type_text

pytestmark = pytest.mark.gui


@pytest.fixture
def kiosk_factory(
    qapp: QApplication, qtbot: QtBot, clock: FakeClock
) -> Iterator[Callable[[Config], Kiosk]]:
    """Build the real kiosk for a given site config, as ``ui.app.run`` does."""
    app = create_application()
    built: list[Kiosk] = []

    def build(config: Config) -> Kiosk:
        kiosk = build_kiosk(app, config, clock)
        built.append(kiosk)
        qtbot.addWidget(kiosk.window)
        kiosk.window.resize(1280, 800)
        kiosk.window.show()
        qtbot.waitExposed(kiosk.window)
        return kiosk

    yield build
    for kiosk in built:
        kiosk.shutdown()
        kiosk.window.close()
    built.clear()
    # Collect this test's widgets here, on the GUI thread: left to chance, Python's cycle
    # collector may run inside a worker thread later and destroy them there.
    gc.collect()


@pytest.fixture
def kiosk(kiosk_factory: Callable[[Config], Kiosk], config: Config) -> Kiosk:
    return kiosk_factory(config)


def click(qtbot: QtBot, widget) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def fill_details(
    qtbot: QtBot,
    kiosk: Kiosk,
    name: str = "Ada Lovelace",
    email: str = "ada@example.com",
    purpose: str = "meeting",
    host: str = "amy",
) -> None:
    details = kiosk.window.details
    type_text(details.name, name)
    type_text(details.email, email)
    click(qtbot, details._purpose_buttons[purpose])
    pick_host(details.host, host)


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


def type_where_seen(kiosk: Kiosk, editor: QLineEdit, text: str) -> None:
    """Type as a guest does on the details form: into the field scrolled into sight."""
    (scroller,) = [
        s for s in kiosk.window.findChildren(QScrollArea) if s.widget() is kiosk.window.details
    ]
    scroller.ensureWidgetVisible(editor)
    type_text(editor, text)
    QApplication.processEvents()


@contextmanager
def received(kind: QEvent.Type) -> Iterator[list[QWidget]]:
    """The widgets that receive events of ``kind`` meanwhile, in order (an application-wide
    event filter: what Qt asks of each widget, whoever asked)."""
    widgets: list[QWidget] = []

    class Watch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == kind and isinstance(watched, QWidget):
                widgets.append(watched)
            return False

    watch = Watch()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(watch)
    try:
        yield widgets
    finally:
        app.removeEventFilter(watch)
