"""The supervised window's nightly fresh start (see ``kiosk.supervisor``): once its time has come,
the window waits for a quiet moment on Welcome, with nothing being saved or printed, and ends
itself with ``FRESH_START``; the supervisor starts it again at once.

Quiet means no guest: the window has shown Welcome for two minutes, no check-in is being saved
and the job process has nothing in hand. A guest who arrives at that moment meets Welcome again
in well under a second, with nothing lost (what was queued is in the store's outbox).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, tzinfo

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.supervisor import fresh_start_due

log = logging.getLogger(__name__)
CHECK_EVERY_MS = 60 * 1000
QUIET_SECONDS = 120.0


class FreshStart(QObject):
    """Asks for the fresh start (``due``) when its time has come and the kiosk is quiet."""

    due = Signal()

    def __init__(
        self,
        at: str,
        zone: tzinfo,
        clock: Callable[[], datetime],
        on_welcome: bool,
        busy: Callable[[], bool],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._at, self._zone, self._clock = at, zone, clock
        self._busy, self._monotonic = busy, monotonic
        self._started = clock()
        # Kept by ``step_changed``: when Welcome came on screen, None while it is not there.
        self._welcome_since: float | None = monotonic() if on_welcome else None
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        if self._at:
            self.timer.start()

    def step_changed(self, step: str) -> None:
        """The flow went to ``step``: Welcome starts the quiet time, anything else ends it."""
        self._welcome_since = self._monotonic() if step == "welcome" else None

    def check(self) -> None:
        if not fresh_start_due(self._clock(), self._started, self._at, self._zone):
            return
        quiet_since = self._welcome_since
        if quiet_since is None or self._monotonic() - quiet_since < QUIET_SECONDS:
            return
        if self._busy():
            return
        log.info("nightly fresh start: the window ends and the supervisor starts it again")
        self.timer.stop()
        self.due.emit()
