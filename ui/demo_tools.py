"""Helpers that drive the real kiosk offscreen like a guest would: wait on the event loop, type
(Chinese included), pick a host, and take screenshots once the layout has settled. Shared by
``kiosk demo``, the soak and the GUI tests."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QDeadlineTimer, QEventLoop, QRect, Qt, QTimer
from PySide6.QtGui import QColor, QInputMethodEvent, QPixmap
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget

from kiosk.config import Config
from kiosk.records import replace
from ui.app import Kiosk, build_kiosk
from ui.application import create_application
from ui.host_picker import HostList, HostSearch
from ui.style import theme

WINDOW_SIZE = (1280, 800)


class DemoError(RuntimeError):
    """The scripted check-in did not reach the expected screen."""


def wait_until(condition: Callable[[], bool], what: str, timeout_ms: int = 10_000) -> None:
    """Run the event loop until ``condition`` holds. Waits in ``QEventLoop.exec`` as the real
    kiosk does (``QTest.qWait`` keeps the GIL while it sleeps, which starves the workers and
    would make every background job look ten times slower than it is)."""
    deadline = QDeadlineTimer(timeout_ms)
    while not condition():
        if deadline.hasExpired():
            raise DemoError(f"demo stuck waiting for {what}")
        pause(5)


def pause(msecs: int) -> None:
    """Let the event loop run for ``msecs`` without holding the GIL. The timer names the loop as
    its context: PySide6 keeps ~64 bytes for good for every ``singleShot(msecs, callable)``
    without one, which the soak's 10,000 waits per 1,000 guests counted as the kiosk's growth."""
    loop = QEventLoop()
    QTimer.singleShot(msecs, loop, loop.quit)
    loop.exec()


def type_text(edit: QLineEdit, text: str) -> None:
    """Type like a guest: key presses for ASCII, an input-method commit for everything else
    (Chinese is entered through an IME, and QTest can only press keys it knows)."""
    edit.setFocus()
    if text.isascii():
        QTest.keyClicks(edit, text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(edit, event)


def pick_host(edit: QLineEdit | QComboBox, query: str, index: int = 0) -> None:
    """Choose a host as a guest would: type part of the name, tap a proposal (or, with a fixed
    list, choose an entry)."""
    if isinstance(edit, HostList):
        edit.setCurrentIndex(min(index, edit.count() - 1))
        return
    assert isinstance(edit, HostSearch)
    type_text(edit, query)
    buttons = edit.suggestions
    if not buttons:
        raise DemoError(f"no host matches {query!r}")
    QTest.mouseClick(buttons[min(index, len(buttons) - 1)], Qt.MouseButton.LeftButton)


@contextmanager
def demo_kiosk(config: Config) -> Iterator[tuple[Kiosk, QApplication]]:
    """The real kiosk on a throw-away data directory, shown offscreen: a demo or a soak never
    adds visits to a real store, and its badges and visits are deleted with the directory."""
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as data_dir:
        app = create_application()
        kiosk = build_kiosk(app, replace(config, data_dir=Path(data_dir)))
        kiosk.window.resize(*WINDOW_SIZE)
        kiosk.window.show()
        try:
            yield kiosk, app
        finally:
            kiosk.window.close()
            kiosk.shutdown()


def settle(widget: QWidget, rounds: int = 40) -> None:
    """Run the event loop until no child of ``widget`` moves or resizes between two passes: a
    change of text size relayouts in several steps (wrapped labels, grids), and a picture taken
    halfway shows buttons overlapping that a guest never sees."""
    previous: list[QRect] = []
    for _ in range(rounds):
        pause(15)
        current = [c.geometry() for c in widget.findChildren(QWidget) if c.isVisible()]
        if current == previous:
            return
        previous = current


def shot(kiosk: Kiosk, out_dir: Path, name: str) -> Path:
    """The window as the guest sees it, and the whole screen in the 200 % large-text mode
    (grabbed from the screen itself, so what lies below the fold is in the picture too)."""
    settle(kiosk.window)
    target = out_dir / f"{name}.png"
    if not kiosk.window.grab().save(str(target)):
        raise DemoError(f"could not write {target}")
    kiosk.window.set_text_scale(2.0)
    settle(kiosk.window)
    large = out_dir / "large-text" / f"{name}-200.png"
    large.parent.mkdir(exist_ok=True)
    screen = kiosk.window.current_screen()
    picture = QPixmap(screen.size())  # the screen has no background of its own: give it the
    picture.fill(QColor(theme()["background"]))  # window's, not transparent black
    screen.render(picture)
    picture.save(str(large))
    kiosk.window.set_text_scale(1.0)
    settle(kiosk.window)
    return target
