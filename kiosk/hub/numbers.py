"""Visitor numbers for the console: check-ins per day at the site over the last two weeks, from
the visits the hub still holds (no names), as a chart and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, tzinfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kiosk.hub import schema as t
from kiosk.wire import day_span

DAYS = 14


def daily_check_ins(
    engine: Engine, site: str, now: datetime, zone: tzinfo
) -> list[tuple[date, int]]:
    """(day, check-ins) for each of the last ``DAYS`` days in site time, oldest first. Counted
    by the database, day by day: read and parsed here for every visit the site still held,
    300,000 visits took 750-810 ms (and still 340-400 ms for the 126,000 of those two weeks)."""
    today = now.astimezone(zone).date()
    days = [today - timedelta(days=DAYS - 1 - n) for n in range(DAYS)]
    spans = [day_span(day, zone) for day in days]  # (begins, next begins) as stored instants
    v = t.visits.c
    day_number = sa.case(*((v.checked_in_at < ends, n) for n, (_, ends) in enumerate(spans)))
    with engine.connect() as db:
        rows = db.execute(
            sa.select(day_number, sa.func.count())
            .where(v.site == site, v.checked_in_at >= spans[0][0], v.checked_in_at < spans[-1][1])
            .group_by(day_number)
        ).all()
    counts: dict[int, int] = {int(n): int(count) for n, count in rows}
    return [(day, counts.get(n, 0)) for n, day in enumerate(days)]


def numbers_csv(days: list[tuple[date, int]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", "check_ins"])
    for day, count in days:
        writer.writerow([day.isoformat(), count])
    return out.getvalue()


DAY_ROOM, COUNT_ROOM = 30, 26  # chart units (the SVG is 560 x 180)


def bars(
    days: list[tuple[date, int]], width: int = 560, height: int = 180
) -> list[dict[str, object]]:
    """Bar geometry for the server-drawn SVG chart (no script). The days' labels take the
    bottom ``DAY_ROOM`` units and the tallest bar leaves ``COUNT_ROOM`` above it for its count:
    labels are drawn at up to 18 units on a phone, where the chart is shrunk to fit (the top
    count was cut off, and a zero's count touched its day)."""
    top = max([count for _, count in days] + [1])
    step = width / len(days)
    floor = height - DAY_ROOM
    tallest = floor - COUNT_ROOM
    return [
        {
            "x": round(n * step + step * 0.15, 1),
            "width": round(step * 0.7, 1),
            "height": round(count / top * tallest, 1),
            "y": round(floor - count / top * tallest, 1),
            "label": f"{day:%m-%d}",
            "label_y": height - 8,  # the day's baseline, inside DAY_ROOM
            "short": str(day.day),  # on a phone: the day of the month alone, larger
            "count": count,
            "text_x": round(n * step + step / 2, 1),
        }
        for n, (day, count) in enumerate(days)
    ]
