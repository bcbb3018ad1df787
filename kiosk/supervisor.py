"""``kiosk run --supervise``: keep the kiosk window up. If it crashes, start it again within a
second or two, so the next guest sees the Welcome screen instead of a desktop.

A clean exit (status 0, e.g. staff closing the kiosk) ends supervision, and so does status 2,
which means something only a person can fix (bad config, no display): restarting would not
help. A kiosk that keeps crashing is restarted with growing pauses (up to 30 s) so it does not
spin.

Once a night (``[kiosk] fresh_start``, 03:30 site time unless set otherwise) a supervised window
that is idle on Welcome ends itself with ``FRESH_START`` and is started again at once. Its live
memory stays flat, but what the allocators hold grows with use (~1.6 MB per 1,000 guests,
measured: fragmentation in Python's and the C library's heaps, not objects kept), and only a new
process gives that back. A fresh start also takes up a hub the kiosk joined that day.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo

from kiosk.logs import logger
from kiosk.timeutil import clock_time

log = logger(__name__)
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
STABLE_AFTER = 60.0  # a run this long resets the pause
NEEDS_A_PERSON = 2
FRESH_START = 75  # the window ended itself for its nightly fresh start: start it again at once
SUPERVISED = "KIOSK_SUPERVISED"  # in the window's environment: only then may it end itself so
FRESH_START_WINDOW = timedelta(hours=2)  # a kiosk busy all that time waits for the next night


def run_supervised(command: Sequence[str]) -> int:
    """Run the window, telling it that it is supervised."""
    return subprocess.call(list(command), env={**os.environ, SUPERVISED: "1"})


def fresh_start_due(now: datetime, started: datetime, at: str, zone: tzinfo) -> bool:
    """Whether a window started at ``started`` is due its fresh start at ``now``: the latest
    ``at`` (HH:MM site time; "" for never) came after it started, at most two hours ago."""
    if not at:
        return False
    time_of_day, today = clock_time(at), now.astimezone(zone).date()
    latest = datetime.combine(today, time_of_day, zone)
    if latest > now:
        latest = datetime.combine(today - timedelta(days=1), time_of_day, zone)
    return started < latest <= now and now - latest <= FRESH_START_WINDOW


def supervise(
    command: Sequence[str],
    run: Callable[[Sequence[str]], int] = run_supervised,
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
        if status == FRESH_START:
            log.info("kiosk window ended for its nightly fresh start; starting it again")
            pause = FIRST_PAUSE
            continue
        if max_restarts is not None and restarts >= max_restarts:
            return status
        pause = FIRST_PAUSE if clock() - started >= STABLE_AFTER else pause
        log.error("kiosk stopped with status %s; restarting in %.0f s", status, pause)
        sleep(pause)
        restarts += 1
        pause = min(pause * 2, LONGEST_PAUSE)
