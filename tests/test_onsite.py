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
from kiosk.i18n import Translator
from kiosk.onsite import on_site
from kiosk.rollcall import RollCall
from kiosk.store import Store
from printers.evacuation import ROWS_PER_PAGE, header_lines, roll_call_pdf, row_cells
from tests.conftest import FakeClock, make_form
from tests.pdf_boxes import tick_boxes


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


def _boxes_per_page(pdf: Path) -> list[int]:
    return [len(page) for page in tick_boxes(pdf)]


def test_roll_call_pdf_has_a_box_per_person_on_a4_pages(
    store: Store, config: Config, clock: FakeClock, tmp_path: Path
) -> None:
    service = CheckinService(store, config, clock)
    notice = service.current_notice("en")
    for n in range(ROWS_PER_PAGE + 5):
        service.check_in(make_form(name=f"Person {n}"), notice, print_badge=False)
    people = on_site(store, HostDirectory(store, config), clock() + timedelta(minutes=5))
    pdf = roll_call_pdf(RollCall(clock(), people), config, tmp_path / "roll.pdf")
    assert _boxes_per_page(pdf) == [ROWS_PER_PAGE, 5]


def test_roll_call_carries_ticks_with_time_and_who_and_a_clear_header(
    store: Store, config: Config, clock: FakeClock, tmp_path: Path
) -> None:
    service = CheckinService(store, config, clock)
    notice = service.current_notice("en")
    for name in ("Ann Safe", "Bo Missing", "Cy Safe"):
        service.check_in(make_form(name=name), notice, print_badge=False)
    people = on_site(store, HostDirectory(store, config), clock())
    roll_call = RollCall(clock(), people)
    clock.advance(minutes=7)
    roll_call.tick(people[0].visit_id, clock(), "Mei-Chen Lin")
    roll_call.tick(people[2].visit_id, clock(), "Desk")
    roll_call.tick(people[2].visit_id, clock() + timedelta(minutes=1), "Someone Else")  # kept
    roll_call.tick("not-on-the-list", clock(), "Desk")  # ignored
    assert (roll_call.accounted, roll_call.missing) == (2, 1)
    pdf = roll_call_pdf(roll_call, config, tmp_path / "roll.pdf")
    assert tick_boxes(pdf) == [[True, False, True]]
    translators = [Translator("en"), Translator("zh-TW")]
    site, english, chinese = header_lines(roll_call, config, translators)
    local = roll_call.started_at.astimezone(config.zone)
    assert site == f"{config.site_name} · {local:%Y-%m-%d %H:%M} ({config.timezone})"
    assert english == "3 on site · 2 accounted for · 1 missing"
    assert chinese == "在場 3 人 · 已確認 2 人 · 未確認 1 人"
    ticked = roll_call.ticks[people[0].visit_id]
    cells = row_cells(people[0], ticked, config)
    assert cells[0] == "Ann Safe"
    assert cells[3] == f"{ticked.at.astimezone(config.zone):%H:%M} Mei-Chen Lin"
    assert row_cells(people[1], None, config)[3] == ""


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

    roll_call = RollCall(clock(), on_site(store, HostDirectory(store, config), clock()))
    old = roll_call_pdf(roll_call, config, config.spool_dir / "evacuation-old.pdf")
    fresh = roll_call_pdf(roll_call, config, config.spool_dir / "evacuation-new.pdf")
    day_ago = (clock() - timedelta(hours=25)).timestamp()
    os.utime(old, (day_ago, day_ago))
    os.utime(fresh, (clock().timestamp(), clock().timestamp()))
    purge(store, config.spool_dir, clock(), config.retention_days)
    assert not old.exists() and fresh.exists()
