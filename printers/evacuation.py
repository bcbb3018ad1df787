"""The evacuation roll call on paper: A4 pages, one row per person, ticks as staff made them.

The page says where and when the roll call started and how many are accounted for and missing;
each ticked row carries the time and the name of whoever ticked it. Names and hosts wrap or shrink
inside their column. The PDF holds names, so it is written into the spool (shredded by retention
like badges) and sent to the configured printer when that printer takes pages (CUPS); otherwise
the staff member is told, in words, where it was saved.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PIL import Image, ImageDraw

from kiosk.config import Config
from kiosk.i18n import Translator
from kiosk.models import OnSite
from kiosk.rollcall import RollCall, Tick
from printers.labels import LabelSpec, label
from printers.layout import fit_lines, font

ROWS_PER_PAGE = 17
# Column left edges and widths on the page, in millimetres from the left margin.
TICK_MM, NAME_MM, HOST_MM, SINCE_MM, DONE_MM = 0, 10, 64, 110, 140
COLUMN_END_MM = 180


def roll_call_pdf(roll_call: RollCall, config: Config, target: Path) -> Path:
    a4 = label("a4")
    translators = [Translator(lang) for lang in config.languages]
    chunks = _pages(roll_call.people)
    pages = [
        _page(roll_call, chunk, number, len(chunks), config, translators, a4)
        for number, chunk in enumerate(chunks, start=1)
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    pages[0].save(target, "PDF", resolution=a4.dpi, save_all=True, append_images=pages[1:])
    return target


def _pages(people: list[OnSite]) -> list[list[OnSite]]:
    return [people[i : i + ROWS_PER_PAGE] for i in range(0, len(people), ROWS_PER_PAGE)] or [[]]


def _page(
    roll_call: RollCall,
    chunk: list[OnSite],
    number: int,
    pages: int,
    config: Config,
    translators: list[Translator],
    a4: LabelSpec,
) -> Image.Image:
    page = Image.new("L", a4.page_px, 255)
    draw = ImageDraw.Draw(page)
    margin = a4.mm(15)
    first, *summaries = header_lines(roll_call, config, translators)
    title = " / ".join(tr("evacuation.title") for tr in translators)
    draw.text((margin, margin), title, font=font(a4.mm(6.5), bold=True), fill=0)
    y = margin + a4.mm(10)
    draw.text((margin, y), first, font=font(a4.mm(4.2), bold=True), fill=0)
    for summary in summaries:
        y += a4.mm(6)
        draw.text((margin, y), summary, font=font(a4.mm(3.8)), fill=0)
    page_note = " / ".join(tr("evacuation.page", page=number, pages=pages) for tr in translators)
    draw.text((margin, a4.page_px[1] - margin), page_note, font=font(a4.mm(3)), fill=0)
    y += a4.mm(10)
    headers = ("name", "host", "since_kiosk", "done")
    for left, key in zip((NAME_MM, HOST_MM, SINCE_MM, DONE_MM), headers, strict=True):
        text = " / ".join(tr(f"evacuation.{key}") for tr in translators)
        lines, chosen = fit_lines(text, a4.mm(_width(left)), a4.mm(3.4), a4.mm(2.6), 2)
        for offset, line in enumerate(lines):
            line_h = round(getattr(chosen, "size", a4.mm(3)) * 1.25)
            draw.text((margin + a4.mm(left), y + offset * line_h), line, font=chosen, fill=0)
    y += a4.mm(9)
    row_h = a4.mm(12.5)
    for person in chunk:
        _row(draw, a4, margin, y, person, roll_call.ticks.get(person.visit_id), config)
        draw.line(
            (margin, y + row_h - a4.mm(1), margin + a4.mm(COLUMN_END_MM), y + row_h - a4.mm(1)),
            fill=180,
            width=2,
        )
        y += row_h
    return page


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


def _width(left_mm: int) -> int:
    columns = (TICK_MM, NAME_MM, HOST_MM, SINCE_MM, DONE_MM, COLUMN_END_MM)
    return columns[columns.index(left_mm) + 1] - left_mm - 3


def _row(
    draw: ImageDraw.ImageDraw,
    a4: LabelSpec,
    margin: int,
    top: int,
    person: OnSite,
    tick: Tick | None,
    config: Config,
) -> None:
    box = (margin, top, margin + a4.mm(6), top + a4.mm(6))
    draw.rectangle(box, outline=0, width=4)
    if tick is not None:
        left, upper, right, lower = box
        draw.line(
            (
                left + a4.mm(1),
                upper + a4.mm(3.2),
                left + a4.mm(2.5),
                lower - a4.mm(1),
                right - a4.mm(0.8),
                upper + a4.mm(0.8),
            ),
            fill=0,
            width=8,
        )
    columns = (NAME_MM, HOST_MM, SINCE_MM, DONE_MM)
    for left, text in zip(columns, row_cells(person, tick, config), strict=True):
        lines, chosen = fit_lines(text, a4.mm(_width(left)), a4.mm(4.2), a4.mm(2.8), 2)
        line_h = round(getattr(chosen, "size", a4.mm(3)) * 1.2)
        for offset, line in enumerate(lines):
            draw.text((margin + a4.mm(left), top + offset * line_h), line, font=chosen, fill=0)


def roll_call_path(config: Config, now: datetime) -> Path:
    return config.spool_dir / f"evacuation-{now:%Y%m%dT%H%M%SZ}.pdf"
