from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.checkin import CheckinService
from kiosk.checkout import CheckoutService
from kiosk.cli import main
from kiosk.config import Config
from kiosk.hosts import HostDirectory
from kiosk.onsite import on_site
from kiosk.store import Store
from printers.evacuation import ROWS_PER_PAGE, roll_call_pdf
from tests.conftest import FakeClock, make_form


def test_on_site_list_search_and_time_on_site(
    store: Store,
    config: Config,
    clock: FakeClock,
    tokens,  # type: ignore[no-untyped-def]
) -> None:
    service = CheckinService(store, config, clock)
    notice = service.current_notice("en")
    first = service.check_in(make_form(name="Early Bird", host_id="h-lin"), notice).visit
    clock.advance(minutes=90)
    service.check_in(make_form(name="陳小華"), notice)
    gone = service.check_in(make_form(name="Gone Already"), notice).visit
    CheckoutService(store, config, tokens, clock).check_out(gone.id, kind="staff")
    clock.advance(minutes=10)
    directory = HostDirectory(store, config)
    people = on_site(store, directory, clock())
    assert [p.name for p in people] == ["Early Bird", "陳小華"]
    assert people[0].minutes_on_site == 100 and people[0].visit_id == first.id
    assert [p.name for p in on_site(store, directory, clock(), "jimmy")] == ["Early Bird"]
    assert [p.name for p in on_site(store, directory, clock(), "小華")] == ["陳小華"]


def _boxes_per_page(pdf: Path, dpi: int = 100) -> list[int]:
    """Count the tick boxes on each page: a line through their middle crosses each box's top
    and bottom edge, two dark runs per box."""
    import pypdfium2

    counts = []
    document = pypdfium2.PdfDocument(str(pdf))
    for page in document:
        image = page.render(scale=dpi / 72).to_pil().convert("L")
        x = round(18 / 25.4 * dpi)  # the boxes' middle: they start 15 mm from the edge, 6 mm wide
        first_row = round((15 + 20 + 8.5) / 25.4 * dpi) - 2  # below the title and the headers
        column = [image.getpixel((x, y)) < 128 for y in range(first_row, image.height)]
        runs, inside = 0, False
        for dark in column:
            if dark and not inside:
                runs += 1
            inside = dark
        counts.append(runs // 2)
    document.close()
    return counts


def test_roll_call_pdf_has_a_box_per_person_on_a4_pages(
    store: Store, config: Config, clock: FakeClock, tmp_path: Path
) -> None:
    service = CheckinService(store, config, clock)
    notice = service.current_notice("en")
    for n in range(ROWS_PER_PAGE + 5):
        service.check_in(make_form(name=f"Person {n}"), notice, print_badge=False)
    people = on_site(store, HostDirectory(store, config), clock() + timedelta(minutes=5))
    pdf = roll_call_pdf(people, config, clock(), tmp_path / "roll.pdf")
    assert _boxes_per_page(pdf) == [ROWS_PER_PAGE, 5]


def test_onsite_and_evacuation_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--data-dir", str(tmp_path / "data")]
    for name in ("Ann One", "Bo Two"):
        assert (
            main(
                [
                    *base,
                    "checkin",
                    "--name",
                    name,
                    "--email",
                    "x@example.com",
                    "--purpose",
                    "meeting",
                    "--accept-notice",
                ]
            )
            == 0
        )
    capsys.readouterr()
    assert main([*base, "onsite", "--json"]) == 0
    assert [p["name"] for p in json.loads(capsys.readouterr().out)] == ["Ann One", "Bo Two"]
    out = tmp_path / "evac.pdf"
    assert main([*base, "evacuation", "--out", str(out)]) == 0
    assert "2 on site" in capsys.readouterr().out
    assert _boxes_per_page(out) == [2]


def test_roll_calls_are_shredded_after_a_day(
    store: Store, config: Config, clock: FakeClock
) -> None:
    import os

    from kiosk.retention import purge

    people = on_site(store, HostDirectory(store, config), clock())
    old = roll_call_pdf(people, config, clock(), config.spool_dir / "evacuation-old.pdf")
    fresh = roll_call_pdf(people, config, clock(), config.spool_dir / "evacuation-new.pdf")
    day_ago = (clock() - timedelta(hours=25)).timestamp()
    os.utime(old, (day_ago, day_ago))
    os.utime(fresh, (clock().timestamp(), clock().timestamp()))
    purge(store, config.spool_dir, clock(), config.retention_days)
    assert not old.exists() and fresh.exists()
