"""The console's roll call as A4 pages (PDF) for the assembly point, in the console's language:
the kiosk's own roll-call sheet (``kiosk.roll_sheet``), filled from the hub's roll call and drawn
in the system's Noto Sans CJK (names may be Chinese)."""

from __future__ import annotations

from datetime import tzinfo
from functools import cache
from pathlib import Path

from PIL import ImageFont

from kiosk.hub.rollcalls import Person, RollCall
from kiosk.roll_sheet import Sheet, SheetRow, sheet_pdf
from kiosk.text_fit import Font
from kiosk.wire import from_db

FONT_DIRECTORIES = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/truetype/noto"),
)
TRADITIONAL_CHINESE_FACE = 3  # the face of Noto Sans CJK's collection for zh-TW


@cache
def font(size: int, bold: bool = False) -> Font:
    name = "NotoSansCJK-Bold.ttc" if bold else "NotoSansCJK-Regular.ttc"
    for directory in FONT_DIRECTORIES:
        for path in (directory / name, directory / "NotoSansCJK-Regular.ttc"):
            if path.exists():
                return ImageFont.truetype(str(path), size, index=TRADITIONAL_CHINESE_FACE)
    return ImageFont.load_default(size)


def roll_call_pdf(roll_call: RollCall, words: dict[str, str], zone: tzinfo) -> bytes:
    """``words``: the console's words for the title, the summary line, the column heads and the
    page note (``page`` with ``{page}`` and ``{pages}``)."""
    return sheet_pdf(roll_call_sheet(roll_call, words, zone), font)


def roll_call_sheet(roll_call: RollCall, words: dict[str, str], zone: tzinfo) -> Sheet:
    started = from_db(roll_call.started_at).astimezone(zone)
    return Sheet(
        title=words["title"],
        place_and_time=f"{roll_call.site} · {started:%Y-%m-%d %H:%M} ({zone})",
        summaries=(words["summary"],),
        heads=(words["name"], words["host"], words["since"], words["accounted"]),
        rows=tuple(sheet_row(person, zone) for person in roll_call.people),
        page_note=lambda page, pages: words["page"].format(page=page, pages=pages),
    )


def sheet_row(person: Person, zone: tzinfo) -> SheetRow:
    """Name, host, arrival time and kiosk, and the tick's time and who ticked."""
    done = ""
    if person.ticked_at:
        done = f"{from_db(person.ticked_at).astimezone(zone):%H:%M} {person.ticked_by or ''}"
    since = from_db(person.checked_in_at).astimezone(zone)
    cells = (person.name, person.host, f"{since:%H:%M} {person.kiosk_id}", done)
    return SheetRow(bool(person.ticked_at), cells)
