"""Time in one form: timezone-aware UTC inside, one fixed text form in the database.

A fixed-width text form keeps ``purge_after <= ?`` a correct string comparison in SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_db(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware one")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


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
