"""The outbox's rules, for every kind of job alike: which jobs a visit gets, when each stops
being worth trying, how long to wait after a failure, and what a finished attempt writes.

Printing, notifying and syncing each do their own sending; they all end an attempt with
``settle`` and ask ``next_attempt`` when to try again, so a failed badge print is retried on the
same schedule as a failed notification (it was left failed for ever).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from kiosk.config import Config
from kiosk.store import Store
from kiosk.timeutil import from_db

JOB_KINDS = ("print", "notify", "visitor_copy", "sync")
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(minutes=30)
# A badge that comes out later than this helps nobody: the guest has been helped at the desk,
# and a label with their name would lie at the printer.
PRINT_GIVE_UP = timedelta(minutes=15)


def jobs_for_visit(
    config: Config, now: datetime, print_badge: bool, visitor_copy: bool
) -> dict[str, datetime | None]:
    """Outbox jobs of a new visit, with when to stop retrying (None: until done)."""
    give_up = now + timedelta(hours=config.notify_give_up_hours)
    jobs: dict[str, datetime | None] = {"notify": give_up}
    if print_badge and config.printer_backend != "none":
        jobs["print"] = now + PRINT_GIVE_UP
    if config.hub_url:
        jobs["sync"] = None
    if visitor_copy:
        jobs["visitor_copy"] = give_up
    return jobs


def random_jitter() -> float:
    """A number in [0, 1): ``random`` is imported at the first failed attempt, not by every
    check-in (which imports this module to queue its jobs)."""
    import random

    return random.random()  # noqa: S311 - spreads retries; nothing secret


def next_attempt(
    now: datetime, attempts: int, jitter: Callable[[], float] = random_jitter
) -> datetime:
    """30 s, 1 min, 2 min, … up to 30 min, each ±20 % so many kiosks do not retry in step."""
    delay: timedelta = min(FIRST_RETRY * (2 ** min(attempts, 16)), LONGEST_RETRY)
    return now + delay * (0.8 + 0.4 * jitter())


def settle(
    store: Store,
    job: Mapping[str, Any],
    error: str,
    now: datetime,
    jitter: Callable[[], float] = random_jitter,
) -> str:
    """Record how one attempt ended: "done", "retrying" (with the next time, by backoff) or
    "gave_up" (the job's deadline comes before the next try). ``error`` never names a person."""
    if not error:
        store.finish_outbox(int(job["id"]), now)
        return "done"
    retry_at = next_attempt(now, int(job["attempts"]), jitter)
    expires = job["expires_at"]
    if expires and retry_at > from_db(str(expires)):
        store.give_up_outbox(int(job["id"]), now, error)
        return "gave_up"
    store.retry_outbox(int(job["id"]), error, retry_at)
    return "retrying"


def failed_prints_due(store: Store, now: datetime) -> list[str]:
    """Visits whose badge failed to print and whose next try is due (a badge not yet tried is
    printed by the window at once, never from here)."""
    due = store.due_outbox("print", now)
    return sorted({str(job["visit_id"]) for job in due if int(job["attempts"]) > 0})
