"""Visitor numbers from the anonymous counts only: per day or week, by purpose or department.

The counts outlive the visits (they hold no personal data), so reports cover any period.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, timedelta

from kiosk.records import record
from kiosk.store import Store
from kiosk.wire import safe_cell


@record
class ReportRow:
    period: str  # 2026-11-25, or 2026-W48 for weeks
    key: str  # a purpose or a department
    count: int


def report(
    store: Store, first: date, last: date, by: str = "purpose", weekly: bool = False
) -> list[ReportRow]:
    if by not in ("purpose", "department"):
        raise ValueError("report by purpose or department")
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in store.counts_between(first.isoformat(), last.isoformat()):
        day = date.fromisoformat(row["day"])
        year, week, _ = day.isocalendar()
        period = f"{year}-W{week:02d}" if weekly else row["day"]
        totals[(period, row[by] or "-")] += int(row["count"])
    return [ReportRow(period, key, count) for (period, key), count in sorted(totals.items())]


def period_totals(rows: list[ReportRow]) -> list[tuple[str, int]]:
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row.period] += row.count
    return sorted(totals.items())


def to_csv(rows: list[ReportRow], by: str) -> str:
    """Spreadsheet-safe: a purpose or department that starts with = + - @ stays text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", by, "visits"])
    for row in rows:
        writer.writerow([safe_cell(row.period), safe_cell(row.key), row.count])
    return out.getvalue()


def last_days(today: date, days: int) -> tuple[date, date]:
    return today - timedelta(days=days - 1), today
