"""Command-line values argparse cannot check alone: instants read in the site's time zone,
which is only known once the config is loaded."""

from __future__ import annotations

from datetime import datetime, tzinfo

from kiosk.errors import UsageError
from kiosk.timeutil import parse_instant, utc_now


def instant_option(option: str, text: str, zone: tzinfo, example: str) -> datetime:
    """An ISO-8601 option value, or a usage error that shows the person a form that works."""
    try:
        return parse_instant(text, zone)
    except ValueError:
        raise UsageError(f"{option} {text!r}: use ISO-8601, e.g. {example}") from None


def now_option(text: str | None, zone: tzinfo) -> datetime:
    """``--now``: the moment a command acts at (to rehearse a purge or a check-out), else now."""
    return instant_option("--now", text, zone, "2026-12-31T09:00+08:00") if text else utc_now()
