from __future__ import annotations

import re
from dataclasses import replace

import pytest
from PIL import Image

from kiosk import assets
from kiosk.badges import badge_content
from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.store import Store
from kiosk.tokens import badge_payload, short_code, visit_id_from_payload
from printers import create
from printers.file import FilePrinter
from printers.jobs import print_badge
from printers.labels import label
from printers.layout import fit_lines, font, render_badge
from printers.none import NoPrinter
from tests.conftest import FakeClock, make_form

DK = label("dk-11202")


@pytest.fixture
def visit(service: CheckinService):  # type: ignore[no-untyped-def]
    return service.check_in(make_form(), service.current_notice("en")).visit


def test_label_geometry_is_real() -> None:
    assert DK.size_px == (732, 1181)  # 62 × 100 mm at 300 dpi


def test_qr_payload_holds_only_the_visit_id(visit, config: Config) -> None:  # type: ignore[no-untyped-def]
    content = badge_content(visit, "Host", config)
    assert re.fullmatch(r"LK1:[0-9A-F-]{36}", content.payload)
    assert "ADA" not in content.payload and "@" not in content.payload
    assert visit_id_from_payload(content.payload) == visit.id
    assert visit_id_from_payload("LK1:not-a-uuid") is None
    assert visit_id_from_payload("x" * 1_000_000) is None
    assert content.short_code == short_code(visit.id) and len(content.short_code) == 8
    assert content.visitor_label == "訪客 VISITOR"


def test_badge_renders_at_label_size(visit, config: Config) -> None:  # type: ignore[no-untyped-def]
    image = render_badge(badge_content(visit, "陳雅婷 Amy Chen", config), DK)
    assert image.size == DK.size_px
    assert image.getextrema() == (0, 255)


def test_cjk_font_is_available_for_names() -> None:
    found = assets.badge_font()
    assert found is not None, "install fonts-noto-cjk (make test does this as root)"
    chosen = font(80)
    assert chosen.getmask("國").getbbox() != chosen.getmask("\U0010fffd").getbbox()


@pytest.mark.parametrize(
    "name",
    [
        "Maximiliana Alexandrovna Wolfeschlegelsteinhausenbergerdorff-Montgomery",
        "歐陽詠琪" * 10,
        "陳大文 Tai-man Chan",
        "x",
        "W" * 100,
    ],
)
def test_long_and_mixed_names_fit_in_two_lines(name: str) -> None:
    width = DK.size_px[0] - 2 * DK.mm(4)
    lines, chosen = fit_lines(name, width, DK.mm(11), DK.mm(4.5), max_lines=2)
    assert 1 <= len(lines) <= 2
    assert all(chosen.getlength(line) <= width for line in lines)
    joined = "".join(lines).replace("…", "")
    assert name.replace(" ", "").startswith(joined.replace(" ", ""))


def test_file_printer_writes_png_and_a_pdf_page_of_label_size(
    visit,
    store: Store,
    config: Config,
    clock: FakeClock,  # type: ignore[no-untyped-def]
) -> None:
    result = print_badge(store, config, FilePrinter(config.spool_dir), visit.id, clock())
    assert result.ok
    png, pdf = result.files
    assert png.name == f"badge-{visit.id}.png"  # named by id, never by name
    with Image.open(png) as image:
        assert image.size == DK.size_px
    media_box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert media_box is not None
    width_mm, height_mm = (float(v) / 72 * 25.4 for v in media_box.groups())
    assert (round(width_mm), round(height_mm)) == (62, 100)
    assert store.pending_outbox("print", visit.id) == []
    again = print_badge(store, config, FilePrinter(config.spool_dir), visit.id, clock())
    assert not again.ok  # printed once per check-in


def test_spool_failure_keeps_the_job_queued(
    visit,
    store: Store,
    config: Config,
    clock: FakeClock,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the spool folder should be")
    result = print_badge(store, config, FilePrinter(blocked), visit.id, clock())
    assert not result.ok and "could not write badge" in result.message
    (job,) = store.pending_outbox("print", visit.id)
    assert job["attempts"] == 1 and job["last_error"]


def test_create_picks_the_configured_backend(config: Config) -> None:
    assert isinstance(create(config), FilePrinter)
    assert isinstance(create(replace(config, printer_backend="none")), NoPrinter)
    assert badge_payload("12345678-1234-5678-1234-567812345678").startswith("LK1:")
