"""``kiosk run --supervise``: keep the kiosk window up. If it crashes, start it again within a
second or two, so the next guest sees the Welcome screen instead of a desktop.

A clean exit (status 0, e.g. staff closing the kiosk) ends supervision, and so does status 2,
which means something only a person can fix (bad config, no display): restarting would not
help. A kiosk that keeps crashing is restarted with growing pauses (up to 30 s) so it does not
spin.
"""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
STABLE_AFTER = 60.0  # a run this long resets the pause
NEEDS_A_PERSON = 2


def supervise(
    command: Sequence[str],
    run: Callable[[Sequence[str]], int] = lambda cmd: subprocess.call(list(cmd)),
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    max_restarts: int | None = None,
) -> int:
    """Run ``command`` until it exits cleanly; returns its final status."""
    pause = FIRST_PAUSE
    restarts = 0
    while True:
        started = clock()
        status = run(command)
        if status in (0, NEEDS_A_PERSON):
            log.info("kiosk exited with status %s; supervision ends", status)
            return status
        if max_restarts is not None and restarts >= max_restarts:
            return status
        pause = FIRST_PAUSE if clock() - started >= STABLE_AFTER else pause
        log.error("kiosk stopped with status %s; restarting in %.0f s", status, pause)
        sleep(pause)
        restarts += 1
        pause = min(pause * 2, LONGEST_PAUSE)
