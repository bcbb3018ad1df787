"""Noticing that the guest is still there: each touch, click, wheel turn, key press or input-method
commit restarts the idle timer, wherever on the kiosk's windows it lands.

The watch sits where the platform delivers input: on the windows (the kiosk window and any popup
it opens, such as the fixed host list) and on the widget with the focus, which is where an input
method's text arrives (Chinese from an IME or an on-screen keyboard never passes the window as key
presses). It does not sit on the whole application: an application-wide filter
runs Python for every event of every widget (each paint, move, resize and layout request, about
60 of them per keystroke in the host search): that was a quarter of a keystroke's time, spent
mostly on events that are never input.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

ACTIVITY = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.KeyPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.Wheel,
        QEvent.Type.InputMethod,
    }
)


class ActivityWatch(QObject):
    """Calls ``on_activity`` for each input event that reaches one of the app's windows.

    Every window that gets the focus is watched from then on, so a popup is covered as soon as it
    opens; the window the kiosk already shows is watched from the start. Qt drops the filter when
    a window goes, and installing it twice on one object keeps one. The focus widget is watched
    only while it has the focus.
    """

    def __init__(
        self, app: QGuiApplication, window: QWidget, on_activity: Callable[[], None]
    ) -> None:
        super().__init__()
        self._app = app
        self._on_activity = on_activity
        self._focus: QObject | None = None
        self._stopped = False
        app.focusWindowChanged.connect(self.watch)
        app.focusObjectChanged.connect(self._follow_focus)
        self.watch(window.windowHandle())
        self.watch(app.focusWindow())
        self._follow_focus(app.focusObject())

    def watch(self, window: QWindow | None) -> None:
        if window is not None:
            window.installEventFilter(self)

    def _follow_focus(self, focus: QObject | None) -> None:
        self._let_go_of_focus()
        if focus is not None:
            focus.installEventFilter(self)
        self._focus = focus

    def _let_go_of_focus(self) -> None:
        if self._focus is not None and isValid(self._focus):
            self._focus.removeEventFilter(self)
        self._focus = None

    def stop(self) -> None:
        """For a kiosk that is shut down: nothing of a later one is watched for it."""
        if self._stopped:
            return
        self._stopped = True
        self._app.focusWindowChanged.disconnect(self.watch)
        self._app.focusObjectChanged.disconnect(self._follow_focus)
        self._let_go_of_focus()
        for window in self._app.allWindows():
            window.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY:
            self._on_activity()
        return False
