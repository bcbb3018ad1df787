"""Lockdown for an unattended lobby: the kiosk stays full screen, frameless and in front, and
the usual ways out (window-manager and application shortcuts, context menus, closing the
window) do nothing on the guest screens.

Typing still works, including AltGr characters such as @ on many keyboards. Keys the window
manager grabs before any application (Ctrl+Alt+Backspace, a compositor's own shortcuts) must be
switched off in the session itself; docs/lobby-kiosk.service shows the supervised set-up.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QWidget

from ui.input_points import InputPoints

log = logging.getLogger(__name__)
_COMMAND = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier
_BLOCKED_KEYS = {
    Qt.Key.Key_Escape,
    Qt.Key.Key_Menu,
    Qt.Key.Key_Super_L,
    Qt.Key.Key_Super_R,
    *(getattr(Qt.Key, f"Key_F{n}") for n in range(1, 36)),
}


def is_escape_attempt(event: QKeyEvent) -> bool:
    """Shortcuts and function keys, but not text: AltGr (Ctrl+Alt on some systems) types @ €."""
    key = Qt.Key(event.key())
    if key in _BLOCKED_KEYS:
        return True
    modifiers = event.modifiers()
    text = event.text()
    types_text = bool(text) and text.isprintable()
    alt_gr = (modifiers & Qt.KeyboardModifier.AltModifier) and (
        modifiers & Qt.KeyboardModifier.ControlModifier
    )
    if alt_gr and types_text:
        return False
    return bool(modifiers & (_COMMAND | Qt.KeyboardModifier.AltModifier))


class Lockdown(QObject):
    """Watches where input arrives (``ui.input_points``: the windows, the focused widget and the
    kiosk window itself), not every event of the application; ``window`` is the kiosk window it
    keeps in front."""

    GUARD_MS = 500

    def __init__(self, window: QWidget) -> None:
        super().__init__()
        self.window = window
        self.blocked = 0
        self.unlocked = False
        # Window managers and platforms differ in how a state change travels; a steady check
        # puts the kiosk back in front whatever moved it (another window, a stray gesture).
        self.guard = QTimer(self)
        self.guard.setInterval(self.GUARD_MS)
        self.guard.timeout.connect(self._on_guard_timeout)
        self._points: InputPoints | None = None

    def watch(self, app: QGuiApplication) -> None:
        """Start seeing the guest's input (from ``ui.app.build_kiosk``)."""
        self._points = InputPoints(app, self.window, self)

    def stop(self) -> None:
        """For a kiosk that is shut down."""
        self.guard.stop()
        if self._points is not None:
            self._points.stop()

    @staticmethod
    def frame(window: QWidget) -> None:
        """No frame, always on top, no context menu. Best before the window is first shown:
        changing the flags of a shown window hides it for a moment."""
        flags = (
            window.windowFlags()
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        if flags != window.windowFlags():
            window.setWindowFlags(flags)
        window.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)

    def apply(self) -> None:
        self.frame(self.window)
        self.window.showFullScreen()
        self.guard.start()

    def unlock(self) -> None:
        """Staff asked to leave (after their PIN): let the window go."""
        self.unlocked = True
        self.guard.stop()

    def _on_guard_timeout(self) -> None:
        if self.unlocked:
            return
        if not (self.window.isVisible() and self.window.isFullScreen()):
            self.window.showFullScreen()
        self.window.raise_()
        self.window.activateWindow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.unlocked:
            return False
        kind = event.type()
        blocked = (
            (
                kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
                and isinstance(event, QKeyEvent)
                and is_escape_attempt(event)
            )
            or kind == QEvent.Type.ContextMenu
            or (
                kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)
                and isinstance(event, QMouseEvent)
                and event.button() != Qt.MouseButton.LeftButton
            )
            or (kind == QEvent.Type.Close and watched is self.window)
        )
        left_full_screen = kind == QEvent.Type.WindowStateChange and watched is self.window
        if left_full_screen and not self.window.isFullScreen():
            # Un-maximised or minimised from outside: back to full screen once this event is done.
            QTimer.singleShot(0, self.window.showFullScreen)
        if blocked:
            self.blocked += 1
            event.ignore()
            return True
        return False
