"""Turns at a SQLite hub's one write lock, taken in the order they were asked for.

SQLite lets one transaction write at a time, and a transaction that finds the lock taken polls
for it, 1 ms later, then 2, 5, 10 ... up to 100 ms apart. A purge that commits one short chunk
after another therefore kept a kiosk's batch out until the purge was over (1.7 s beside a purge of
1,000,000 visits, and past the 30 s busy timeout on a big enough hub). Inside the hub's process,
transactions queue here instead: each takes a ticket and goes when its number comes up, so a
batch that arrives during a purge waits for one chunk at most. (Another process, such as
``kiosk hub purge`` from cron, still meets SQLite's own polling.)
"""

from __future__ import annotations

import threading
import time


class WriterTurnTimeoutError(TimeoutError):
    """The write lock did not come free in time (as SQLite's own 'database is locked')."""


class WriterTurns:
    """A first-come, first-served lock. Not re-entrant: like SQLite's lock, a thread that holds
    a turn and asks for another waits for itself, here until ``timeout``."""

    def __init__(self, timeout: float = 30.0) -> None:
        self._timeout = timeout
        self._changed = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._abandoned: set[int] = set()

    @property
    def tickets_given(self) -> int:
        """How many turns have been asked for so far (served, waiting or given up)."""
        with self._changed:
            return self._next_ticket

    def acquire(self) -> None:
        with self._changed:
            ticket = self._next_ticket
            self._next_ticket += 1
            deadline = time.monotonic() + self._timeout
            while ticket != self._serving:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._abandoned.add(ticket)  # skipped when its number comes up
                    raise WriterTurnTimeoutError("the hub database stayed busy; try again")
                self._changed.wait(left)

    def release(self) -> None:
        with self._changed:
            self._serving += 1
            while self._serving in self._abandoned:
                self._abandoned.discard(self._serving)
                self._serving += 1
            self._changed.notify_all()
