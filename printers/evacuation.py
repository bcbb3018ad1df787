"""The evacuation roll call as a printable PDF: A4 pages, one row per person with a box to tick.

It holds names, so it is written into the spool (deleted by retention like badges) and printed
through the configured printer where that printer takes pages (CUPS); otherwise staff open it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PIL import Image, ImageDraw

from kiosk.config import Config
from kiosk.i18n import Translator
from kiosk.onsite import OnSite
from printers.labels import label
from printers.layout import font

ROWS_PER_PAGE = 28


def roll_call_pdf(people: list[OnSite], config: Config, now: datetime, target: Path) -> Path:
    a4 = label("a4")
    width, height = a4.page_px
    margin, row_h = a4.mm(15), a4.mm(8.5)
    translators = [Translator(lang) for lang in config.languages]
    title = " / ".join(tr("evacuation.title") for tr in translators)
    stamp = now.astimezone(config.zone).strftime("%Y-%m-%d %H:%M")
    headers = [
        " / ".join(tr(f"evacuation.{key}") for tr in translators)
        for key in ("name", "host", "since", "kiosk")
    ]
    columns = [margin + a4.mm(12), margin + a4.mm(72), margin + a4.mm(122), margin + a4.mm(160)]
    pages = []
    chunks = [people[i : i + ROWS_PER_PAGE] for i in range(0, len(people), ROWS_PER_PAGE)] or [[]]
    for number, chunk in enumerate(chunks, start=1):
        page = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(page)
        draw.text((margin, margin), title, font=font(a4.mm(7), bold=True), fill=0)
        draw.text(
            (margin, margin + a4.mm(10)),
            f"{config.site_name} · {stamp} · {len(people)} · {number}/{len(chunks)}",
            font=font(a4.mm(4)),
            fill=0,
        )
        y = margin + a4.mm(20)
        for x, header in zip(columns, headers, strict=True):
            draw.text((x, y), header, font=font(a4.mm(3.4), bold=True), fill=0)
        y += row_h
        for person in chunk:
            draw.rectangle((margin, y, margin + a4.mm(6), y + a4.mm(6)), outline=0, width=4)
            cells = [person.name, person.host, person.local_time(config), person.kiosk_id]
            for x, cell in zip(columns, cells, strict=True):
                draw.text((x, y), cell[:40], font=font(a4.mm(4.2)), fill=0)
            y += row_h
        pages.append(page)
    target.parent.mkdir(parents=True, exist_ok=True)
    pages[0].save(target, "PDF", resolution=a4.dpi, save_all=True, append_images=pages[1:])
    return target
