from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from kiosk import assets, base45
from kiosk.badges import BadgeTokens
from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.hosts import HostDirectory
from kiosk.models import Visit
from kiosk.qrdecode import decode_file
from kiosk.records import replace
from kiosk.store import Store
from kiosk.tokens import PREFIX, Verdict, short_code
from printers import create
from printers.file import FilePrinter
from printers.jobs import print_badge
from printers.labels import label
from printers.layout import fit_lines, font, render_badge
from printers.none import NoPrinter
from tests.conftest import FakeClock, make_form, print_to_spool

DK = label("dk-11202")


@pytest.fixture
def visit(service: CheckinService) -> Visit:
    return service.check_in(make_form(), service.current_notice("en")).visit


def test_label_geometry_is_real() -> None:
    assert DK.page_px == (732, 1181)  # 62 × 100 mm at 300 dpi
    assert DK.size_px == (696, 1109)  # the printable area of the die-cut label


def test_qr_payload_is_a_signed_token_without_personal_data(
    visit: Visit,
    tokens: BadgeTokens,
    clock: FakeClock,
) -> None:
    content = tokens.content(visit, "Host")
    assert content.payload.startswith(PREFIX)
    assert re.fullmatch(r"[0-9A-Z $%*+\-./:]+", content.payload)  # QR alphanumeric mode only
    checked = tokens.check(content.payload, clock())
    assert checked.verdict is Verdict.VALID
    assert checked.claims is not None and checked.claims.visit_id == visit.id
    # The token's own bytes hold neither the name nor the email. (Its Base45 text once was
    # searched for "ADA", which a random signature spells now and then: 1 run in ~600 failed.)
    raw = base45.decode(content.payload.removeprefix(PREFIX))
    for personal in (visit.name, visit.email, "Lovelace", "example.com"):
        assert personal.encode("utf-8") not in raw and personal.upper() not in content.payload
    # version 1, key id 4, visit 16, site tag 4, from 4, expires 4, zone length 1, signature 64:
    # no room for anything else.
    assert len(raw) == 98 + len(checked.claims.zone.encode("utf-8"))
    assert content.short_code == short_code(visit.id) and len(content.short_code) == 8
    assert content.visitor_label == "訪客 VISITOR"


def test_emailed_badge_qr_is_the_signed_token_in_the_spool(
    visit: Visit, tokens: BadgeTokens, config: Config, clock: FakeClock
) -> None:
    attachment = tokens.qr_png(visit)
    assert attachment.parent == config.spool_dir
    (payload,) = decode_file(attachment)
    assert payload == tokens.token_for(visit)
    assert tokens.check(payload, clock()).verdict is Verdict.VALID


def test_badge_renders_at_label_size(visit: Visit, tokens: BadgeTokens) -> None:
    image = render_badge(tokens.content(visit, "陳雅婷 Amy Chen"), DK)
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
    visit: Visit,
    store: Store,
    config: Config,
    clock: FakeClock,
    tokens: BadgeTokens,
) -> None:
    result = print_to_spool(store, config, tokens, visit.id, clock())
    assert result.ok
    png, pdf = result.files
    assert png.name == f"badge-{visit.id}.png"  # named by id, never by name
    with Image.open(png) as image:
        assert image.size == DK.page_px
    media_box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert media_box is not None
    width_mm, height_mm = (float(v) / 72 * 25.4 for v in media_box.groups())
    assert (round(width_mm), round(height_mm)) == (62, 100)
    assert store.pending_outbox("print", visit.id) == []
    again = print_to_spool(store, config, tokens, visit.id, clock())
    assert not again.ok  # printed once per check-in
    for spooled in (png, pdf):  # the printed QR reads back as a valid badge
        (token,) = decode_file(spooled)
        assert tokens.check(token, clock()).verdict is Verdict.VALID


def test_spool_failure_keeps_the_job_queued(
    visit: Visit,
    store: Store,
    config: Config,
    clock: FakeClock,
    tmp_path: Path,
    tokens: BadgeTokens,
) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the spool folder should be")
    result = print_badge(
        store, config, FilePrinter(blocked), tokens, HostDirectory(store, config), visit.id, clock()
    )
    assert not result.ok and "could not write badge" in result.message
    (job,) = store.pending_outbox("print", visit.id)
    assert job["attempts"] == 1 and job["last_error"]


def test_create_picks_the_configured_backend(config: Config) -> None:
    assert isinstance(create(config), FilePrinter)
    assert isinstance(create(replace(config, printer_backend="none")), NoPrinter)
