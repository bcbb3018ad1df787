"""The roll-call sheet the kiosk prints and the hub's console offers: one design, names kept whole
(wrapped and shrunk before anything is cut), and text that would break a line drawn on its row
instead of failing the whole PDF."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.config import Config
from kiosk.hub.console import words_for_language
from kiosk.hub.console_evacuation import sheet_words
from kiosk.hub.rollcall_pdf import font, roll_call_pdf, roll_call_sheet, sheet_row
from kiosk.hub.rollcalls import Person, RollCall, RollCalls
from kiosk.models import OnSite
from kiosk.records import replace
from kiosk.roll_sheet import (
    CELL_COLUMNS,
    GAP_MM,
    HOST_MM,
    NAME_MM,
    ROW_MM,
    ROWS_PER_PAGE,
    Sheet,
    SheetRow,
    cell_lines,
    px,
    sheet_pdf,
)
from kiosk.rollcall import Tick
from kiosk.wire import from_db
from printers.evacuation import row_cells
from tests.conftest import FakeClock
from tests.hub_server import hub_service
from tests.pdf_boxes import tick_boxes

ZONE = ZoneInfo("Asia/Taipei")
LONG_NAMES = (
    "Christopher Alexander Montgomery-Smithington",
    "Wolfeschlegelsteinhausenbergerdorff",
    "María-José Carreño Quiñones de la Peña",
    "歐陽娜娜 Nana Ouyang-Fairweather",
)


def _person(number: int, name: str, ticked_by: str | None = None) -> Person:
    ticked_at = "2026-11-30T01:35:00.000000Z" if ticked_by else None
    return Person(
        f"v{number}",
        name,
        "Mei Chen 陳美玲 (Research & Development)",
        "lobby-east-entrance",
        "2026-11-30T01:00:00.000000Z",
        ticked_at,
        ticked_by,
    )


def _roll_call(people: list[Person]) -> RollCall:
    started = "2026-11-30T01:30:00.000000Z"
    return RollCall("r1", "Harbour Tower", started, "desk", None, 0, tuple(people))


def _words(language: str) -> dict[str, str]:
    people = (_person(0, "Ann Lee", "desk"), _person(1, "Bo Wu"))
    return sheet_words(words_for_language(language), _roll_call(list(people)))


def _whole(lines: list[str], text: str) -> bool:
    """The lines hold all of ``text`` (wrapping drops only the spaces it breaks at)."""
    return not lines[-1].endswith("…") and "".join(lines).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("language", ["en", "zh-TW"])
def test_the_hubs_sheet_keeps_long_names_and_who_ticked_whole(language: str) -> None:
    """The console's PDF used to cut a name to one line ("Christopher Alexander Montg…") and the
    ticker's name with it ("09:30 m…"): at the assembly point nobody could tell who ticked."""
    people = [_person(n, name, "Front Desk Supervisor Wang") for n, name in enumerate(LONG_NAMES)]
    sheet = roll_call_sheet(_roll_call(people), _words(language), ZONE)
    assert [row.cells[0] for row in sheet.rows] == list(LONG_NAMES)
    for row in sheet.rows:
        assert row.ticked
        assert row.cells[2] == "09:00 lobby-east-entrance"
        assert row.cells[3] == "09:35 Front Desk Supervisor Wang"
        for column, text in zip(CELL_COLUMNS, row.cells, strict=True):
            lines, _ = cell_lines(text, column, font)
            assert len(lines) <= 3 and _whole(lines, text), (text, lines)


def test_a_name_too_long_for_three_lines_ends_in_an_ellipsis_inside_its_column() -> None:
    text = "Bartholomew " * 12
    lines, chosen = cell_lines(text, NAME_MM, font)
    assert len(lines) == 3 and lines[-1].endswith("…")
    name_column = px(HOST_MM - NAME_MM - GAP_MM)
    assert max(chosen.getlength(line) for line in lines) <= name_column
    assert len(lines) * chosen.size * 1.2 <= px(ROW_MM - 1)  # above the row's rule


def test_the_hubs_sheet_has_17_rows_a_page_with_the_kiosks_boxes() -> None:
    people = [_person(n, f"Person {n}", "desk" if n % 3 == 0 else None) for n in range(20)]
    pdf = roll_call_pdf(_roll_call(people), _words("en"), ZONE)
    expected = [n % 3 == 0 for n in range(20)]
    assert tick_boxes(pdf) == [expected[:ROWS_PER_PAGE], expected[ROWS_PER_PAGE:]]


HOSTILE = (
    "Ann\nLee",  # a line feed
    "Bo\r\nChen",
    "Cy\u2029Wu",  # a paragraph separator
    "Di\x1cNg\x85Ho",  # separators Pillow's layout refuses to measure
    "\u202eevil.exe\u202c",  # a right-to-left override
    "=cmd|' /C calc'!A0",
)


def test_text_that_would_break_a_line_is_drawn_on_its_row() -> None:
    """Pillow cannot measure or lay out text with a line or paragraph break (raqm_layout()
    failed): one such name made the whole roll call's PDF fail. The hub stores what kiosks send
    (a kiosk of another release, or one with a stolen key) and what its console is typed."""
    people = [_person(n, name, "desk\nguard" if n == 0 else None) for n, name in enumerate(HOSTILE)]
    pdf = roll_call_pdf(_roll_call(people), _words("en"), ZONE)
    assert tick_boxes(pdf) == [[True] + [False] * (len(HOSTILE) - 1)]
    sheet = Sheet(
        "Roll call\nof the day",
        "Harbour\u2029Tower",
        ("1 on site\n",),
        ("Name\n", "Host\r", "Since\x1c", "Done\x85"),
        (SheetRow(False, ("Ann\nLee", "Mei\u2029Chen", "09:00\n", "")),),
        lambda page, pages: f"Page {page}\nof {pages}",
    )
    assert tick_boxes(sheet_pdf(sheet, font)) == [[False]]


def test_the_console_serves_the_sheet_of_a_visit_whose_name_broke_lines(
    tmp_path: Path, clock: FakeClock
) -> None:
    """End to end: a kiosk's record with line breaks in the name (the hub keeps it as a kiosk
    would: on one line), then the console's PDF (a 500 while the name was kept as sent)."""
    from kiosk.hub.accounts import Accounts
    from tests.console_users import csrf_of
    from tests.hub_server import serve_hub
    from tests.test_console import PASSWORD, _sign_in

    service = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    kiosk = service.authenticate(service.add_kiosk("harbour-1", "Harbour"))
    assert kiosk is not None
    now = clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    record = {"visit_id": "v-hostile", "kiosk_id": "harbour-1", "host_id": "h-chen",
              "purpose": "meeting", "checked_in_at": now, "name": "Ann\nLee\u2029Chen",
              "purge_after": "2099-01-01T00:00:00.000000Z"}  # fmt: skip
    event = {"event": "checkin", "idempotency_key": "v-hostile:checkin", "record": record}
    assert service.ingest(kiosk, [event])[0]["status"] == "stored"
    Accounts(service.engine, clock).add("desk", "Harbour", "frontdesk", PASSWORD)
    with serve_hub(service) as url:
        desk, _ = _sign_in(url, "desk")
        first = desk.get(f"{url}/console/evacuation?lang=en")
        desk.post(f"{url}/console/evacuation/start", data={"csrf": csrf_of(first.text)})
        roll_call = RollCalls(service, clock).open_one("Harbour")
        assert roll_call is not None and roll_call.people[0].name == "Ann Lee Chen"
        pdf = desk.get(f"{url}/console/evacuation/{roll_call.roll_call_id}.pdf")
        assert isinstance(pdf, requests.Response)
        assert pdf.status_code == 200, pdf.text[:200]
        assert tick_boxes(pdf.content) == [[False]]
    service.close()


def test_the_kiosk_and_the_hub_fill_a_row_alike(config: Config) -> None:
    """One design: the same person and tick give the same cells whoever fills the sheet."""
    person = _person(0, "Ann Lee", "desk")
    assert person.ticked_at is not None
    arrived, ticked = from_db(person.checked_in_at), from_db(person.ticked_at)
    on_site = OnSite(person.visit_id, person.name, person.host, person.kiosk_id, arrived, 35)
    kiosk_row = row_cells(on_site, Tick(ticked, "desk"), config)
    assert sheet_row(person, config.zone) == SheetRow(True, kiosk_row)
    untouched = replace(person, ticked_at=None, ticked_by=None)
    assert sheet_row(untouched, config.zone) == SheetRow(False, row_cells(on_site, None, config))


def test_a_long_site_name_stays_inside_the_page_margins() -> None:
    """Headings are one line each: a long site name is drawn smaller (and at worst cut), never
    past the right margin or off the paper."""
    from PIL import ImageOps

    from kiosk.roll_sheet import END_MM, MARGIN_MM, sheet_pages

    long_site = "International Commerce Centre, Tower Two, West Lobby " * 3
    sheet = Sheet(
        "Evacuation roll call / 疏散點名表 / " * 3,
        f"{long_site} · 2026-11-30 09:30 (Asia/Taipei)",
        ("2 on site · 1 accounted for · 1 missing " * 4,),
        ("Name", "Host", "Since, kiosk", "Accounted for"),
        (SheetRow(True, ("Ann Lee", "Mei Chen", "09:00 lobby-1", "09:35 desk")),),
        lambda page, pages: f"Page {page} of {pages} " * 12,
    )
    (page,) = sheet_pages(sheet, font)
    right_margin = page.crop((px(MARGIN_MM + END_MM) + 2, 0, page.width, page.height))
    assert ImageOps.invert(right_margin).getbbox() is None
    bottom = page.crop((0, page.height - px(MARGIN_MM) + px(6), page.width, page.height))
    assert ImageOps.invert(bottom).getbbox() is None


def test_the_sheet_is_small_enough_to_fetch_on_a_phone() -> None:
    """Grey pages went into the PDF as JPEGs of ~520 KB each (15.6 MB for 500 people)."""
    people = [_person(n, f"Guest {n} 陳大文", "desk" if n % 2 else None) for n in range(34)]
    pdf = roll_call_pdf(_roll_call(people), _words("en"), ZONE)
    pages = tick_boxes(pdf)
    assert [len(page) for page in pages] == [ROWS_PER_PAGE, ROWS_PER_PAGE]
    assert len(pdf) < 60_000 * len(pages), len(pdf)
