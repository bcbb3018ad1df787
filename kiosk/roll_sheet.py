"""The evacuation roll call on A4 paper, as the kiosk prints it and the hub's console offers it.

One design for both, because the people holding it at the assembly point should not have to
learn two: where and when the roll call started and how many are accounted for and missing, then
one row per person with a box (ticked or empty), the name, the host, when and where they checked
in, and for a ticked row the time and who ticked. A name or a host wraps onto a second line and
shrinks before any of it is cut, so a long name and the name of whoever ticked stay readable.

The caller gives the words (in its languages) and the fonts; this module only draws.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Protocol

from PIL import Image, ImageDraw

from kiosk.records import record
from kiosk.text_fit import Font, FontForSize, fit_lines

DPI = 300
MM_PER_INCH = 25.4
PAGE_MM = (210, 297)
ROWS_PER_PAGE = 17
MARGIN_MM = 15
ROW_MM = 12.5
# Left edges of the text columns from the left margin (the box stands at 0), then where the
# last column ends, in millimetres.
NAME_MM, HOST_MM, SINCE_MM, DONE_MM, END_MM = 10, 64, 110, 140, 180
CELL_COLUMNS = (NAME_MM, HOST_MM, SINCE_MM, DONE_MM)
GAP_MM = 3  # between a cell's text and the next column


class Fonts(Protocol):
    """A font of the given pixel size, bold or regular (the caller knows where its fonts are)."""

    def __call__(self, size: int, bold: bool = False) -> Font: ...


@record
class SheetRow:
    ticked: bool
    cells: tuple[str, str, str, str]  # name, host, since (and kiosk), ticked at and by


@record
class Sheet:
    title: str
    place_and_time: str  # "Demo Tower · 2026-11-30 09:30 (Asia/Taipei)"
    summaries: tuple[str, ...]  # one per language: on site, accounted for, missing
    heads: tuple[str, str, str, str]
    rows: tuple[SheetRow, ...]
    page_note: Callable[[int, int], str]  # (page, pages) -> "Page 1 of 2"


def px(mm: float) -> int:
    """A length on the page, in pixels."""
    return round(mm / MM_PER_INCH * DPI)


def sheet_pdf(sheet: Sheet, fonts: Fonts) -> bytes:
    """The sheet as a PDF of A4 pages, in black and white: a page of grey levels went into the
    PDF as a JPEG of ~520 KB, so 500 people made 15.6 MB for a phone at the assembly point to
    download; as black and white, 0.8 MB, as crisp on paper at 300 dpi."""
    pages = [page.convert("1", dither=Image.Dither.NONE) for page in sheet_pages(sheet, fonts)]
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return out.getvalue()


def sheet_pages(sheet: Sheet, fonts: Fonts) -> list[Image.Image]:
    rows = sheet.rows
    chunks = [rows[i : i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)] or [()]
    return [
        _page(sheet, chunk, number, len(chunks), fonts)
        for number, chunk in enumerate(chunks, start=1)
    ]


def cell_lines(text: str, column_mm: int, fonts: Fonts) -> tuple[list[str], Font]:
    """A row's cell: up to two lines in the largest size that holds ``text`` whole, else three
    smaller ones (a long name, a long kiosk id); cut with an ellipsis only if even those fail."""
    width, bold = px(_width(column_mm)), _sized(fonts, bold=True)
    lines, chosen = fit_lines(text, width, px(4.2), px(2.8), 2, bold)
    if not lines[-1].endswith("…") or text.endswith("…"):
        return lines, chosen
    return fit_lines(text, width, px(2.8), px(2.3), 3, bold)


def head_lines(text: str, column_mm: int, fonts: Fonts) -> tuple[list[str], Font]:
    return fit_lines(text, px(_width(column_mm)), px(3.4), px(2.6), 2, _sized(fonts, bold=True))


def _sized(fonts: Fonts, bold: bool) -> FontForSize:
    """``fonts`` in one weight, by size alone (as ``fit_lines`` tries sizes)."""
    return lambda size: fonts(size, bold=bold)


def _width(left_mm: int) -> int:
    edges = (*CELL_COLUMNS, END_MM)
    return edges[edges.index(left_mm) + 1] - left_mm - GAP_MM


def _page(
    sheet: Sheet, chunk: Sequence[SheetRow], number: int, pages: int, fonts: Fonts
) -> Image.Image:
    page = Image.new("L", (px(PAGE_MM[0]), px(PAGE_MM[1])), 255)
    draw = ImageDraw.Draw(page)
    margin = px(MARGIN_MM)
    _heading(draw, (margin, margin), sheet.title, 6.5, fonts, bold=True)
    y = margin + px(10)
    _heading(draw, (margin, y), sheet.place_and_time, 4.2, fonts, bold=True)
    for summary in sheet.summaries:
        y += px(6)
        _heading(draw, (margin, y), summary, 3.8, fonts)
    note = sheet.page_note(number, pages)
    _heading(draw, (margin, page.height - margin), note, 3, fonts)
    y += px(10)
    for left, text in zip(CELL_COLUMNS, sheet.heads, strict=True):
        _lines(draw, margin + px(left), y, *head_lines(text, left, fonts), spacing=1.25)
    y += px(9)
    for row in chunk:
        _row(draw, margin, y, row, fonts)
        rule_y = y + px(ROW_MM - 1)
        draw.line((margin, rule_y, margin + px(END_MM), rule_y), fill=0, width=2)
        y += px(ROW_MM)
    return page


def _heading(
    draw: ImageDraw.ImageDraw,
    at: tuple[int, int],
    text: str,
    size_mm: float,
    fonts: Fonts,
    bold: bool = False,
) -> None:
    """One line across the page, smaller for a long site name rather than past the edge."""
    lines, chosen = fit_lines(
        text, px(END_MM), px(size_mm), px(size_mm * 0.7), 1, _sized(fonts, bold)
    )
    draw.text(at, lines[0], font=chosen, fill=0)


def _row(draw: ImageDraw.ImageDraw, margin: int, top: int, row: SheetRow, fonts: Fonts) -> None:
    box = (margin, top, margin + px(6), top + px(6))
    draw.rectangle(box, outline=0, width=4)
    if row.ticked:
        left, upper, right, lower = box
        tick = (
            left + px(1),
            upper + px(3.2),
            left + px(2.5),
            lower - px(1),
            right - px(0.8),
            upper + px(0.8),
        )
        draw.line(tick, fill=0, width=8)
    for left, text in zip(CELL_COLUMNS, row.cells, strict=True):
        _lines(draw, margin + px(left), top, *cell_lines(text, left, fonts), spacing=1.2)


def _lines(
    draw: ImageDraw.ImageDraw, left: int, top: int, lines: list[str], chosen: Font, spacing: float
) -> None:
    line_h = round(getattr(chosen, "size", px(3)) * spacing)
    for offset, line in enumerate(lines):
        draw.text((left, top + offset * line_h), line, font=chosen, fill=0)
