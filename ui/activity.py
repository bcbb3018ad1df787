"""Noticing that the guest is still there: each touch, click, wheel turn, key press or input-method
commit restarts the idle timer, wherever on the kiosk's windows it lands (see
``ui.input_points`` for where that is, and why not through an application-wide filter)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from ui.input_points import InputPoints

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
    """Calls ``on_activity`` for each input event that reaches the kiosk, until ``stop``."""

    def __init__(
        self, app: QGuiApplication, window: QWidget, on_activity: Callable[[], None]
    ) -> None:
        super().__init__()
        self._on_activity = on_activity
        self._points = InputPoints(app, window, self)

    def stop(self) -> None:
        """For a kiosk that is shut down: nothing of a later one is watched for it."""
        self._points.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY:
            self._on_activity()
        return False
