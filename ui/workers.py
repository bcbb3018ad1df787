"""Run blocking work (disk, printing, QR rendering) off the GUI thread; get the answer back on it.

A task runs in a ``QThreadPool``; its result is carried back by a signal of a small relay object
that lives in the GUI thread, so callbacks always run there and may touch widgets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Created in the GUI thread; its queued signal hops the result back there."""

    delivered = Signal(bool, object)

    def __init__(
        self,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        forget: Callable[[_Relay], None],
    ) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self._forget = forget
        self.delivered.connect(self._on_delivered)

    @Slot(bool, object)
    def _on_delivered(self, ok: bool, value: object) -> None:
        self._forget(self)
        if ok:
            self._on_done(value)
        else:
            assert isinstance(value, BaseException)
            self._on_error(value)


class _Task(QRunnable):
    def __init__(
        self, work: Callable[[], Any], relay: _Relay, expected: tuple[type[Exception], ...]
    ) -> None:
        super().__init__()
        self._work = work
        self._relay = relay
        self._expected = expected

    def run(self) -> None:
        try:
            result: Any = self._work()
            ok = True
        except Exception as error:  # reported to the GUI, which decides what the guest sees
            if not isinstance(error, self._expected):
                log.exception("background task failed")
            result, ok = error, False
        try:
            self._relay.delivered.emit(ok, result)
        except RuntimeError:  # the kiosk shut down while this ran: nobody is waiting any more
            log.debug("result of a task dropped at shutdown")


class Workers:
    """Run work off the GUI thread; callbacks run on the GUI thread.

    Two lanes: what a guest is waiting for (saving a check-in, a check-out) never queues behind
    slow I/O (a printer that takes seconds to answer, a mail server, a purge), which runs in
    the background lane.
    """

    def __init__(self, threads_per_lane: int = 2) -> None:
        self._guest = QThreadPool()
        self._background = QThreadPool()
        for pool in (self._guest, self._background):
            pool.setMaxThreadCount(threads_per_lane)
        self._pending: set[_Relay] = set()

    def submit(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        expected: tuple[type[Exception], ...] = (),
        *,
        guest: bool = False,
    ) -> None:
        """``expected`` errors are answers (a wrong code, an invalid field), not faults: they go
        to ``on_error`` without a stack trace in the log. ``guest=True`` for work a guest is
        waiting for on screen."""
        relay = _Relay(on_done, on_error, self._pending.discard)
        self._pending.add(relay)
        (self._guest if guest else self._background).start(_Task(work, relay, expected))

    def busy(self) -> bool:
        return bool(self._pending)

    def wait(self, msecs: int = 10_000) -> bool:
        """Wait for running tasks (at shutdown and in tests)."""
        guest_done = self._guest.waitForDone(msecs)
        return self._background.waitForDone(msecs) and guest_done
