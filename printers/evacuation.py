"""The kiosk's evacuation roll call on paper, in the kiosk's languages (the sheet itself is drawn
by ``kiosk.roll_sheet``, the same design the hub's console prints).

The PDF holds names, so it is written into the spool (shredded by retention like badges) and sent
to the configured printer when that printer takes pages (CUPS); otherwise the staff member is
told, in words, where it was saved.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kiosk.config import Config
from kiosk.i18n import Translator
from kiosk.models import OnSite
from kiosk.roll_sheet import ROWS_PER_PAGE, Sheet, SheetRow, sheet_pdf
from kiosk.rollcall import RollCall, Tick
from printers.layout import font

__all__ = ["ROWS_PER_PAGE", "header_lines", "roll_call_path", "roll_call_pdf", "row_cells"]


def roll_call_pdf(roll_call: RollCall, config: Config, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(sheet_pdf(roll_call_sheet(roll_call, config), font))
    return target


def roll_call_sheet(roll_call: RollCall, config: Config) -> Sheet:
    """Every heading in each of the kiosk's languages, side by side."""
    translators = [Translator(lang) for lang in config.languages]

    def both(key: str, **values: object) -> str:
        return " / ".join(tr(key, **values) for tr in translators)

    first, *summaries = header_lines(roll_call, config, translators)
    keys = ("name", "host", "since_kiosk", "done")
    name, host, since, done = (both(f"evacuation.{key}") for key in keys)
    rows = []
    for person in roll_call.people:
        tick = roll_call.ticks.get(person.visit_id)
        rows.append(SheetRow(tick is not None, row_cells(person, tick, config)))
    return Sheet(
        title=both("evacuation.title"),
        place_and_time=first,
        summaries=tuple(summaries),
        heads=(name, host, since, done),
        rows=tuple(rows),
        page_note=lambda page, pages: both("evacuation.page", page=page, pages=pages),
    )


def header_lines(roll_call: RollCall, config: Config, translators: list[Translator]) -> list[str]:
    """Where and when the roll call started, then per language: on site, accounted, missing."""
    started = roll_call.started_at.astimezone(config.zone).strftime("%Y-%m-%d %H:%M")
    lines = [f"{config.site_name} · {started} ({config.timezone})"]
    for tr in translators:
        lines.append(
            tr(
                "evacuation.summary",
                on_site=len(roll_call.people),
                accounted=roll_call.accounted,
                missing=roll_call.missing,
            )
        )
    return lines


def row_cells(person: OnSite, tick: Tick | None, config: Config) -> tuple[str, str, str, str]:
    """Name, host, arrival time and kiosk, and the tick's time and the name of who ticked."""
    done = f"{tick.at.astimezone(config.zone):%H:%M} {tick.by}" if tick else ""
    return person.name, person.host, f"{person.local_time(config.zone)} {person.kiosk_id}", done


def roll_call_path(config: Config, now: datetime) -> Path:
    return config.spool_dir / f"evacuation-{now:%Y%m%dT%H%M%SZ}.pdf"
