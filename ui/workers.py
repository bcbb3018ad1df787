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
            result = self._work()
        except Exception as error:  # reported to the GUI, which decides what the guest sees
            if not isinstance(error, self._expected):
                log.exception("background task failed")
            self._relay.delivered.emit(False, error)
        else:
            self._relay.delivered.emit(True, result)


class Workers:
    """Submit work to a private thread pool; callbacks run on the GUI thread."""

    def __init__(self, max_threads: int = 2) -> None:
        self._pool = QThreadPool()
        self._pool.setMaxThreadCount(max_threads)
        self._pending: set[_Relay] = set()

    def submit(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        expected: tuple[type[Exception], ...] = (),
    ) -> None:
        """``expected`` errors are answers (a wrong code, an invalid field), not faults: they go
        to ``on_error`` without a stack trace in the log."""
        relay = _Relay(on_done, on_error, self._pending.discard)
        self._pending.add(relay)
        self._pool.start(_Task(work, relay, expected))

    def busy(self) -> bool:
        return bool(self._pending)

    def wait(self, msecs: int = 10_000) -> bool:
        """Wait for running tasks (at shutdown and in tests)."""
        return self._pool.waitForDone(msecs)
