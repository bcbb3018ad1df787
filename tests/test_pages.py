"""The roll call on paper: it goes to a CUPS queue that takes A4 pages, never to a label printer,
and staff are told what became of it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.config import Config
from kiosk.models import OnSite
from kiosk.records import replace
from kiosk.rollcall import RollCall
from printers.pages import pages_queue, print_roll_call
from tests.conftest import FakeClock


def _roll_call(clock: FakeClock) -> RollCall:
    since = clock() - timedelta(minutes=20)
    people = [OnSite("v1", "Ann Safe", "Lin", "lobby-1", since, 20)]
    roll_call = RollCall(clock(), people)
    roll_call.tick("v1", clock(), "Desk")
    return roll_call


@pytest.mark.parametrize(
    ("changes", "queue"),
    [
        ({}, ""),  # the file spool: no printer at all
        ({"printer_backend": "brother", "printer_target": "tcp://127.0.0.1:9"}, ""),
        ({"printer_backend": "cups", "printer_queue": "Dymo", "printer_label": "dymo-30256"}, ""),
        ({"printer_backend": "cups", "printer_queue": "Office", "printer_label": "a6"}, "Office"),
        ({"printer_backend": "brother", "printer_pages_queue": "Office"}, "Office"),
    ],
)
def test_only_a_queue_for_paper_takes_pages(
    config: Config, changes: dict[str, str], queue: str
) -> None:
    assert pages_queue(replace(config, **changes)) == queue  # type: ignore[arg-type]


def test_without_a_page_printer_the_list_is_kept_and_staff_are_told(
    config: Config, clock: FakeClock
) -> None:
    outcome = print_roll_call(_roll_call(clock), config, clock())
    assert (outcome.kind, outcome.path.parent) == ("saved", config.spool_dir)
    assert outcome.path.read_bytes().startswith(b"%PDF")
    label_printer = replace(config, printer_backend="zebra", printer_target="tcp://127.0.0.1:9")
    assert print_roll_call(_roll_call(clock), label_printer, clock()).kind == "not_pages"


def test_roll_call_prints_on_a4_through_cups(
    config: Config, clock: FakeClock, cups_server: str
) -> None:
    office = replace(config, printer_pages_queue="KioskPDF", printer_cups_server=cups_server)
    outcome = print_roll_call(_roll_call(clock), office, clock())
    assert (outcome.kind, outcome.queue) == ("printed", "KioskPDF")
    (produced,) = (Path.home() / "PDF").glob(f"{outcome.path.stem}*.pdf")
    try:
        width, height = (
            float(v)
            for v in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", produced.read_bytes())[
                0
            ]
        )
        assert abs(width / 72 * 25.4 - 210) < 1.5 and abs(height / 72 * 25.4 - 297) < 1.5
    finally:
        produced.unlink()
    assert outcome.path.exists()  # the spool copy stays until retention shreds it (a day)
    missing = replace(office, printer_pages_queue="NoSuchQueue", printer_timeout=5.0)
    assert print_roll_call(_roll_call(clock), missing, clock()).kind == "failed"
