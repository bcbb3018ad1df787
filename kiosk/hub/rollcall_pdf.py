"""The console's roll call as A4 pages (PDF) for the assembly point: where and when it started,
on site / accounted for / missing, then one row per person with a ticked or empty box and, when
ticked, the time and who ticked. Drawn with Pillow in the system's Noto Sans CJK (names may be
Chinese); long names are cut to their column with an ellipsis rather than overlapping the next."""

from __future__ import annotations

import io
from datetime import tzinfo
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from kiosk.hub.rollcalls import Person, RollCall
from kiosk.wire import from_db

DPI = 150
PAGE = (1240, 1754)  # A4 at 150 dpi
MARGIN, ROW = 90, 62
ROWS_PER_PAGE = 22
COLUMNS = (150, 560, 850, 1000)  # name, host, since, accounted (left edges, px)
FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(size: int) -> Font:
    for path in FONTS:
        if path.exists():
            return ImageFont.truetype(str(path), size, index=3)  # the Traditional Chinese face
    return ImageFont.load_default(size)


def roll_call_pdf(roll_call: RollCall, titles: dict[str, str], zone: tzinfo) -> bytes:
    """``titles``: the console's words for the title, the summary line and the column heads."""
    people = list(roll_call.people)
    chunks = [people[i : i + ROWS_PER_PAGE] for i in range(0, len(people), ROWS_PER_PAGE)] or [[]]
    pages = []
    started = from_db(roll_call.started_at).astimezone(zone)
    for number, chunk in enumerate(chunks, start=1):
        page = Image.new("L", PAGE, 255)
        draw = ImageDraw.Draw(page)
        draw.text((MARGIN, MARGIN), titles["title"], font=_font(44), fill=0)
        head = f"{roll_call.site} · {started:%Y-%m-%d %H:%M} · {number}/{len(chunks)}"
        draw.text((MARGIN, MARGIN + 64), head, font=_font(26), fill=0)
        draw.text((MARGIN, MARGIN + 104), titles["summary"], font=_font(26), fill=0)
        y = MARGIN + 170
        for left, key in zip(COLUMNS, ("name", "host", "since", "accounted"), strict=True):
            draw.text((left, y), titles[key], font=_font(22), fill=0)
        y += 44
        for person in chunk:
            _row(draw, person, y, zone)
            y += ROW
        pages.append(page)
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return out.getvalue()


def _row(draw: ImageDraw.ImageDraw, person: Person, y: int, zone: tzinfo) -> None:
    draw.rectangle((MARGIN, y, MARGIN + 36, y + 36), outline=0, width=3)
    done = ""
    if person.ticked_at:
        tick = (MARGIN + 6, y + 19, MARGIN + 15, y + 30, MARGIN + 31, y + 6)
        draw.line(tick, fill=0, width=5)
        done = f"{from_db(person.ticked_at).astimezone(zone):%H:%M} {person.ticked_by or ''}"
    since = from_db(person.checked_in_at).astimezone(zone)
    cells = (person.name, person.host, f"{since:%H:%M}", done)
    edges = (*COLUMNS[1:], PAGE[0] - MARGIN)
    font = _font(26)
    for left, right, text in zip(COLUMNS, edges, cells, strict=True):
        draw.text((left, y + 2), _fit(text, font, right - left - 16), font=font, fill=0)
    draw.line((MARGIN, y + ROW - 12, PAGE[0] - MARGIN, y + ROW - 12), fill=190, width=1)


def _fit(text: str, font: Font, width: int) -> str:
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"
