"""Time in one form: timezone-aware UTC inside, one fixed text form in the database.

A fixed-width text form keeps ``purge_after <= ?`` a correct string comparison in SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from kiosk.wire import DB_TEXT_LENGTH, Clock, from_db, to_db

__all__ = [
    "DB_TEXT_LENGTH",
    "Clock",
    "clock_time",
    "days_later",
    "from_db",
    "parse_instant",
    "to_db",
    "utc_now",
]


def utc_now() -> datetime:
    return datetime.now(UTC)


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


def clock_time(text: str) -> time:
    """A time of day as the config writes it ("23:59", checked when the config is read)."""
    hour, minute = (int(part) for part in text.split(":"))
    return time(hour, minute)
