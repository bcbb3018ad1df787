"""Time in one form: timezone-aware UTC inside, one fixed text form in the database.

A fixed-width text form keeps ``purge_after <= ?`` a correct string comparison in SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


DB_TEXT_LENGTH = 27  # 2026-11-25T01:30:00.000000Z


def to_db(moment: datetime) -> str:
    """``isoformat`` rather than ``strftime``: the same text, a little faster, and the year
    always has four digits (glibc's ``%Y`` writes year 33 as "33", which would sort wrongly)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware one")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_db(text: str) -> datetime:
    """The one text form only (``fromisoformat`` alone would take any ISO variant); parsed
    without ``strptime`` (0.9 µs instead of 4.4 µs here; a sync batch parses five a visit)."""
    if len(text) != DB_TEXT_LENGTH or text[10] != "T" or not text.endswith("Z"):
        raise ValueError(f"not a stored instant: {text!r}")
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)


def parse_instant(text: str, zone: tzinfo) -> datetime:
    """An ISO-8601 date or time from a user; without an offset it means the site's local time."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def days_later(moment: datetime, days: int, zone: tzinfo) -> datetime:
    """The same wall-clock time ``days`` calendar days later in ``zone``, as UTC: "30 days after
    your visit" means the same hour a month later, also across a daylight-saving change."""
    return (moment.astimezone(zone) + timedelta(days=days)).astimezone(UTC)
