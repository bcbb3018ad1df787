"""Where a guest's input arrives, for the filters that must see it (the idle timer's activity
watch, the lockdown) without seeing every event of the application.

An application-wide event filter runs Python for every event of every widget: each paint, move,
resize and layout request, about 60 for the host-search keystroke that brings up the proposals,
which made a filter a quarter of that keystroke's time. Input arrives in three places only:

- the windows, which the platform hands every key, tap, click and wheel turn (the kiosk window,
  and a popup such as the fixed host list's as soon as it takes the focus);
- the widget with the focus, which gets an input method's text (Chinese from an IME or an
  on-screen keyboard never passes a window as key presses) and the shortcut checks;
- the kiosk window as a widget, for what is sent to it directly (a close, a state change).
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid


class InputPoints(QObject):
    """Keeps ``watcher`` installed as an event filter on the places input arrives, until
    ``stop`` or until the watcher goes. Qt drops a filter when its object goes, and installing
    one twice keeps one; the focus widget is watched only while it has the focus.

    It is the watcher's child, so it goes with it, and its connections with it: a kiosk that
    ended without its shutdown lost its watch first, and every move of the focus afterwards
    raised "Internal C++ object already deleted"."""

    def __init__(self, app: QGuiApplication, window: QWidget, watcher: QObject) -> None:
        super().__init__(watcher)
        self._app, self._window, self._watcher = app, window, watcher
        self._focus: QObject | None = None
        self._stopped = False
        window.installEventFilter(watcher)
        app.focusWindowChanged.connect(self._watch_window)
        app.focusObjectChanged.connect(self._follow_focus)
        self._watch_window(window.windowHandle())
        self._watch_window(app.focusWindow())
        self._follow_focus(app.focusObject())

    def _watch_window(self, window: QWindow | None) -> None:
        if window is not None:
            window.installEventFilter(self._watcher)

    def _follow_focus(self, focus: QObject | None) -> None:
        self._let_go_of_focus()
        if focus is not None and focus is not self._window:
            focus.installEventFilter(self._watcher)
            self._focus = focus

    def _let_go_of_focus(self) -> None:
        if self._focus is not None and isValid(self._focus):
            self._focus.removeEventFilter(self._watcher)
        self._focus = None

    def stop(self) -> None:
        """For a kiosk that is shut down (or unlocked): nothing more is seen. Twice is harmless."""
        if self._stopped:
            return
        self._stopped = True
        self._app.focusWindowChanged.disconnect(self._watch_window)
        self._app.focusObjectChanged.disconnect(self._follow_focus)
        self._let_go_of_focus()
        if isValid(self._window):
            self._window.removeEventFilter(self._watcher)
        for window in self._app.allWindows():
            window.removeEventFilter(self._watcher)
