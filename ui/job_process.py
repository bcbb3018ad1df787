"""The window's side of the job process (``printers.worker``): send a job, get the answer back
on the GUI thread, restart the process if it dies.

Nothing here blocks: ``QProcess`` writes and reads through the event loop. An answer that never
comes (the process crashed mid-job) is reported to its caller as a failure; the job itself is
still in the outbox, so a later run picks it up.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QProcess, QTimer

from kiosk.config import Config
from printers import PrintResult
from printers.worker import encode_config

log = logging.getLogger(__name__)
Answer = dict[str, Any]
OnAnswer = Callable[[Answer], None]
RESTART_DELAYS_MS = (500, 2_000, 10_000, 30_000)


class JobProcess(QObject):
    """One long-lived ``python -m printers.worker``, fed one JSON line a job."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self._config = config
        self._next_id = 0
        self._waiting: dict[int, OnAnswer] = {}
        self._buffer = b""
        self._crashes = 0
        self._stopping = False
        self._process = QProcess(self)
        self._process.setProcessChannelMode(QProcess.ProcessChannelMode.ForwardedErrorChannel)
        self._process.readyReadStandardOutput.connect(self._on_ready_read)
        self._process.finished.connect(self._on_finished)
        self._process.errorOccurred.connect(self._on_error_occurred)
        self._restart_timer = QTimer(self)
        self._restart_timer.setSingleShot(True)
        self._restart_timer.timeout.connect(self.start)

    def start(self) -> None:
        if self._process.state() is not QProcess.ProcessState.NotRunning:
            return
        self._stopping = False
        self._buffer = b""
        self._process.start(sys.executable, ["-m", "printers.worker"])
        self._process.write(QByteArray(encode_config(self._config)))

    def submit(self, kind: str, now: datetime, on_answer: OnAnswer, **fields: str) -> None:
        """Queue a job; ``on_answer`` runs on the GUI thread with ``{"ok", "message", ...}``."""
        if self._process.state() is QProcess.ProcessState.NotRunning:
            self.start()
        self._next_id += 1
        self._waiting[self._next_id] = on_answer
        request = {"id": self._next_id, "kind": kind, "now": now.isoformat(), **fields}
        self._process.write(QByteArray(json.dumps(request).encode() + b"\n"))

    def submit_print(
        self, kind: str, now: datetime, done: Callable[[PrintResult], None], **fields: str
    ) -> None:
        """A ``print`` or ``reprint`` job, answered as the ``PrintResult`` the screens show."""

        def on_answer(answer: Answer) -> None:
            done(PrintResult(ok=bool(answer.get("ok")), message=str(answer.get("message", ""))))

        self.submit(kind, now, on_answer, **fields)

    def busy(self) -> bool:
        return bool(self._waiting)

    def pid(self) -> int:
        return int(self._process.processId())

    def stop(self, msecs: int = 5_000) -> None:
        """Let the process finish what it was given, then end it (at shutdown)."""
        self._stopping = True
        self._restart_timer.stop()
        if self._process.state() is QProcess.ProcessState.NotRunning:
            return
        self._process.closeWriteChannel()
        if not self._process.waitForFinished(msecs):
            self._process.kill()
            self._process.waitForFinished(1_000)

    def _on_ready_read(self) -> None:
        self._buffer += bytes(self._process.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            if line.strip():
                self._answer(json.loads(line))

    def _answer(self, answer: Answer) -> None:
        self._crashes = 0
        on_answer = self._waiting.pop(int(answer.get("id") or 0), None)
        if on_answer is not None:
            on_answer(answer)

    def _on_finished(self, exit_code: int, _status: QProcess.ExitStatus) -> None:
        self._fail_waiting("the job process ended")
        if self._stopping:
            return
        log.error("job process ended (exit code %s); restarting it", exit_code)
        self._schedule_restart()

    def _on_error_occurred(self, error: QProcess.ProcessError) -> None:
        if error is QProcess.ProcessError.FailedToStart:
            log.error("job process could not start")
            self._fail_waiting("the job process could not start")
            self._schedule_restart()

    def _schedule_restart(self) -> None:
        delay = RESTART_DELAYS_MS[min(self._crashes, len(RESTART_DELAYS_MS) - 1)]
        self._crashes += 1
        self._restart_timer.start(delay)

    def _fail_waiting(self, message: str) -> None:
        waiting, self._waiting = self._waiting, {}
        for on_answer in waiting.values():
            on_answer({"ok": False, "message": message})
