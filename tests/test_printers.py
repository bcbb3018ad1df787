"""Printer backends against real peers on 127.0.0.1: TCP 9100 printers and a private cupsd."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.badges import BadgeTokens
from kiosk.catalogue import label_names
from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.hosts import HostDirectory
from kiosk.models import BadgeContent, Visit
from kiosk.records import replace
from kiosk.store import Store
from printers import create
from printers.brother import BrotherPrinter
from printers.cups import CupsPrinter
from printers.jobs import print_badge
from printers.labels import LABELS, label
from printers.layout import fit_lines, render_badge
from printers.tcp import NOT_ASKED
from printers.zebra import ZebraPrinter
from tests.conftest import FakeClock, make_form
from tests.printer_peers import (
    Peer,
    brother_status,
    parse_brother_job,
    parse_zpl,
    zebra_status,
)
from tests.receivers import free_port

TIMEOUT = 1.5


@pytest.fixture
def visit(service: CheckinService) -> Visit:
    return service.check_in(
        make_form(name="Lin Pei-Shan 林佩珊"), service.current_notice("en")
    ).visit


@pytest.fixture
def content(visit: Visit, tokens: BadgeTokens) -> BadgeContent:
    return tokens.content(visit, "陳雅婷 Amy Chen")


@pytest.fixture
def peers() -> Iterator[list[Peer]]:
    started: list[Peer] = []
    yield started
    for peer in started:
        peer.stop()


def start(peers: list[Peer], peer: Peer) -> Peer:
    peers.append(peer.start())
    return peer


def test_one_catalogue_names_the_labels_for_the_config_and_the_printers(tmp_path: Path) -> None:
    from kiosk.config import ConfigError, load_config

    assert tuple(LABELS) == label_names() and len(LABELS) == 8
    site = tmp_path / "site.toml"
    for name in LABELS:
        site.write_text(f'[printer]\nlabel = "{name}"\n', encoding="utf-8")
        assert load_config(site, tmp_path).printer_label == name
    site.write_text('[printer]\nlabel = "dk-99999"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="dk-11202"):
        load_config(site, tmp_path)


@pytest.mark.parametrize("name", list(LABELS))
def test_every_label_renders_at_its_size_with_a_scannable_qr(
    name: str, content: BadgeContent
) -> None:
    from kiosk.qrdecode import decode_image

    spec = label(name)
    image = render_badge(content, spec)
    assert image.size == spec.size_px
    assert decode_image(image) == [content.payload]
    qr_mm = _qr_width_px(image) / spec.dpi * 25.4
    assert qr_mm >= min(20, spec.height_mm * 0.6), f"{name}: QR only {qr_mm:.1f} mm"


def _qr_width_px(image) -> int:  # type: ignore[no-untyped-def]
    import zxingcpp

    # The QR alone, as ``kiosk.qrdecode`` reads it: zxing also reported another symbol on a
    # dk-11201 badge once (the payload, and so the picture, comes from a fresh key each run).
    qr = zxingcpp.BarcodeFormat.QRCode
    (found,) = [b for b in zxingcpp.read_barcodes(image) if b.valid and b.format == qr]
    corners = found.position
    xs = [
        p.x
        for p in (corners.top_left, corners.top_right, corners.bottom_left, corners.bottom_right)
    ]
    return max(xs) - min(xs)  # the module area's width, whichever way the decoder turned it


@pytest.mark.parametrize("name", ["dk-11201", "cr80", "zebra-4x3"])
def test_long_names_fit_on_small_landscape_labels(name: str) -> None:
    spec = label(name)
    long_name = "Wolfeschlegelsteinhausenbergerdorff Maximiliana 歐陽詠琪"
    lines, chosen = fit_lines(long_name, spec.size_px[0] // 2, 60, 20, 2)
    assert len(lines) <= 2 and all(chosen.getlength(line) <= spec.size_px[0] // 2 for line in lines)


@pytest.mark.parametrize(("name", "length"), [("dk-11202", 100), ("dk-22205", 0), ("dk-11201", 90)])
def test_brother_job_is_a_valid_ql_raster_job(
    name: str, length: int, content: BadgeContent, peers: list[Peer]
) -> None:
    peer = start(peers, Peer("brother", status=brother_status()))
    result = BrotherPrinter(peer.target, "QL-820NWB", TIMEOUT).print(content, label(name), "job")
    assert result.ok, result.message
    job = peer.wait_for_job()
    parsed = parse_brother_job(job)
    assert parsed["invalidate"] >= 200  # type: ignore[operator]
    commands = parsed["commands"]
    assert "\x1b@" in commands and "\x1biz" in commands  # type: ignore[operator]
    media = parsed["media"]
    width = 29 if name == "dk-11201" else 62
    assert media == {"width_mm": width, "length_mm": length, "lines": parsed["raster_lines"]}
    assert parsed["raster_lines"] == label(name).size_px[0 if name == "dk-11201" else 1]
    assert parsed["print"] == 0x1A  # print with feed (the last page)


def test_brother_out_of_labels_and_cover_open_are_reported(
    content: BadgeContent, peers: list[Peer]
) -> None:
    empty = start(peers, Peer("brother", status=brother_status(error_1=0x02)))
    result = BrotherPrinter(empty.target, "QL-820NWB", TIMEOUT).print(
        content, label("dk-11202"), "j"
    )
    assert not result.ok and result.message == "out of labels"
    assert BrotherPrinter(empty.target, "QL-820NWB", TIMEOUT).status() == "out of labels"
    open_cover = start(peers, Peer("brother", status=brother_status(error_2=0x10)))
    printer = BrotherPrinter(open_cover.target, "QL-820NWB", TIMEOUT)
    assert printer.print(content, label("dk-11202"), "j").message == "cover open"


def test_zebra_job_is_valid_zpl_with_a_graphic_and_the_name(
    visit: Visit, tokens: BadgeTokens, peers: list[Peer]
) -> None:
    peer = start(peers, Peer("zebra", status=zebra_status()))
    spec = label("zebra-4x3")
    for name, text_fields in (("Grace Hopper", 1), ("林佩珊", 0)):
        content = tokens.content(replace(visit, name=name), "Host")
        assert ZebraPrinter(peer.target, TIMEOUT).print(content, spec, "job").ok
        zpl = parse_zpl(peer.wait_for_job().split(b"~HS", 1)[1])
        width, height = spec.size_px
        assert (zpl["width"], zpl["height"]) == (width, height)
        assert zpl["row"] == (width + 7) // 8 and zpl["total"] == zpl["row"] * height
        assert zpl["hex"] == 2 * zpl["total"]
        assert zpl["text_fields"] == text_fields  # Latin names as printer text, others as graphic
        peer.jobs.clear()


def test_zebra_paper_out_is_reported(content: BadgeContent, peers: list[Peer]) -> None:
    peer = start(peers, Peer("zebra", status=zebra_status(paper_out=True)))
    result = ZebraPrinter(peer.target, TIMEOUT).print(content, label("zebra-4x3"), "job")
    assert not result.ok and result.message == "out of labels"


@pytest.mark.parametrize("backend", ["brother", "zebra"])
def test_silent_and_offline_printers_fail_fast_with_a_reason(
    backend: str, content: BadgeContent, peers: list[Peer]
) -> None:
    silent = start(peers, Peer("silent"))
    spec = label("dk-11202" if backend == "brother" else "zebra-4x3")

    def printer(target: str) -> BrotherPrinter | ZebraPrinter:
        return (
            BrotherPrinter(target, "QL-820NWB", TIMEOUT)
            if backend == "brother"
            else ZebraPrinter(target, TIMEOUT)
        )

    started = time.monotonic()
    result = printer(silent.target).print(content, spec, "job")
    assert not result.ok and "did not answer" in result.message
    assert time.monotonic() - started < TIMEOUT + 1
    offline = printer(f"tcp://127.0.0.1:{free_port()}").print(content, spec, "job")
    assert not offline.ok and "offline" in offline.message


def test_a_failed_print_keeps_the_job_for_a_reprint(
    visit: Visit,
    store: Store,
    config: Config,
    tokens: BadgeTokens,
    clock: FakeClock,
    peers: list[Peer],
) -> None:
    directory = HostDirectory(store, config)
    offline = BrotherPrinter(f"tcp://127.0.0.1:{free_port()}", "QL-820NWB", TIMEOUT)
    result = print_badge(store, config, offline, tokens, directory, visit.id, clock())
    assert not result.ok
    (job,) = store.pending_outbox("print", visit.id)
    assert "offline" in job["last_error"]
    peer = start(peers, Peer("brother", status=brother_status()))
    online = BrotherPrinter(peer.target, "QL-820NWB", TIMEOUT)
    assert print_badge(store, config, online, tokens, directory, visit.id, clock()).ok
    assert store.pending_outbox("print", visit.id) == []


def test_create_builds_each_backend(config: Config) -> None:
    brother = create(replace(config, printer_backend="brother", printer_target="tcp://127.0.0.1:9"))
    zebra = create(replace(config, printer_backend="zebra", printer_target="tcp://127.0.0.1:9"))
    cups = create(replace(config, printer_backend="cups", printer_queue="X"))
    assert (brother.name, zebra.name, cups.name) == ("brother", "zebra", "cups")


def _media_boxes(pdf: Path) -> list[tuple[float, float]]:
    data = pdf.read_bytes()
    return [
        (float(w), float(h))
        for w, h in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", data)
    ]


@pytest.mark.parametrize("name", ["dk-11202", "dymo-30256", "a6"])
def test_cups_pdf_gets_the_label_page_size(
    name: str, cups_server: str, content: BadgeContent, visit: Visit, tmp_path: Path
) -> None:
    job_id = f"{visit.id}-{name}"
    spool = tmp_path / "spool"
    printer = CupsPrinter("KioskPDF", cups_server, 20, spool)
    result = printer.print(content, label(name), job_id)
    assert result.ok, result.message
    out_dir = Path.home() / "PDF"
    (produced,) = out_dir.glob(f"badge-{job_id}*.pdf")
    try:
        spec = label(name)
        boxes = _media_boxes(produced)
        assert len(boxes) == 1  # one page per badge
        width_mm, height_mm = (v / 72 * 25.4 for v in boxes[0])
        assert abs(width_mm - spec.width_mm) < 1.5 and abs(height_mm - spec.height_mm) < 1.5
    finally:
        produced.unlink()
    assert printer.status() == "ready"
    assert list(spool.iterdir()) == []  # the temporary PDF went with the job


def test_cups_missing_queue_is_reported(
    cups_server: str, content: BadgeContent, tmp_path: Path
) -> None:
    printer = CupsPrinter("NoSuchQueue", cups_server, 5, tmp_path)
    result = printer.print(content, label("a6"), "job")
    assert not result.ok and "CUPS refused the job" in result.message
    assert printer.status() == "CUPS queue NoSuchQueue not found"


def test_print_commands_and_reprint_audit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], peers: list[Peer]
) -> None:
    import json

    from kiosk.audit import verify
    from kiosk.cli import main

    peer = start(peers, Peer("brother", status=brother_status()))
    site = tmp_path / "kiosk.toml"
    site.write_text(
        f'[printer]\nbackend = "brother"\ntarget = "{peer.target}"\ntimeout_seconds = 2\n'
    )
    base = ["--config", str(site), "--data-dir", str(tmp_path / "data")]
    assert main([*base, "printers"]) == 0
    assert "lobby: brother" in capsys.readouterr().out
    time.sleep(0.2)  # let the peer file away the status-only connection
    peer.jobs.clear()
    assert main([*base, "print-test", "--label", "dk-11201"]) == 0
    assert "printed" in capsys.readouterr().out
    assert parse_brother_job(peer.wait_for_job())["media"]["width_mm"] == 29  # type: ignore[index]
    assert main([*base, "print-test", "--label", "nope"]) == 2
    assert main([*base, "print-test", "--printer", "other"]) == 2
    capsys.readouterr()

    assert (
        main(
            [
                *base,
                "checkin",
                "--name",
                "Rita Reprint",
                "--email",
                "r@example.com",
                "--purpose",
                "meeting",
                "--accept-notice",
                "--json",
            ]
        )
        == 0
    )
    visit_id = json.loads(capsys.readouterr().out)["visit_id"]
    assert main([*base, "reprint", visit_id, "--staff", "s-07"]) == 0
    assert main([*base, "reprint", visit_id, "--staff", "s-07"]) == 0
    assert main([*base, "reprint", "00000000"]) == 2
    store = Store(tmp_path / "data" / "kiosk.db")
    actions = [(row["action"], row["actor"], row["record"]) for row in store.audit_rows()]
    assert actions == [
        ("checkin", "guest", visit_id),
        ("print", "staff:s-07", visit_id),
        ("reprint", "staff:s-07", visit_id),
    ]
    assert verify(store).ok
    store.close()
    assert main([*base, "audit", "verify"]) == 0
    assert "intact: 3 entries" in capsys.readouterr().out

    peer.stop()
    assert main([*base, "printers"]) == 1
    assert "offline" in capsys.readouterr().out


def test_a_tampered_audit_trail_is_detected(store: Store, clock: FakeClock) -> None:
    from kiosk import audit

    for n in range(3):
        audit.record(store, clock(), "print", "kiosk", f"visit-{n}")
    assert audit.verify(store).ok
    store._db.execute("UPDATE audit SET record = 'visit-x' WHERE id = 2")
    check = audit.verify(store)
    assert not check.ok and check.first_bad == 2


def test_brother_usb_device_path_receives_the_same_job(
    content: BadgeContent, tmp_path: Path
) -> None:
    device = tmp_path / "lp0"  # a USB printer is a character device; a file stands in for it
    device.touch()
    result = BrotherPrinter(str(device), "QL-800", TIMEOUT).print(content, label("dk-22205"), "job")
    assert result.ok, result.message
    parsed = parse_brother_job(device.read_bytes())
    assert parsed["media"]["width_mm"] == 62 and parsed["print"] == 0x1A  # type: ignore[index]
    missing = BrotherPrinter(str(tmp_path / "no-such-device"), "QL-800", TIMEOUT)
    assert not missing.print(content, label("dk-22205"), "job").ok


@pytest.mark.parametrize("mode", ["brother", "zebra"])
def test_status_is_not_asked_of_a_printer_configured_not_to_answer(
    peers: list[Peer], mode: str
) -> None:
    """``status_check = false``: `kiosk printers` only checks the printer takes a connection and
    sends it nothing (such printers hang or print garbage on a status request)."""
    peer = start(peers, Peer(mode, status=brother_status() if mode == "brother" else b""))
    printer = (
        BrotherPrinter(peer.target, "QL-820NWB", 2, status_check=False)
        if mode == "brother"
        else ZebraPrinter(peer.target, 2, status_check=False)
    )
    assert printer.status() == NOT_ASKED
    assert peer.wait_for_job() == b""  # connected, and nothing was sent
    peer.stop()
    assert "offline" in printer.status()


@pytest.mark.parametrize("name", sorted(LABELS))
def test_long_names_shrink_instead_of_being_cut(name: str, content: BadgeContent) -> None:
    from printers.layout import name_box

    for long_name in (
        "Maximilian Alexander von Habsburg-Lothringen-Wittelsbach",
        "Wolfeschlegelsteinhausenbergerdorff Maximiliana 歐陽詠琪",
        "歐陽娜娜歐陽娜娜歐陽娜娜歐陽娜娜歐陽娜娜",
    ):
        box = name_box(replace(content, name=long_name), label(name))
        assert "".join(box.lines).replace(" ", "") == long_name.replace(" ", ""), (name, box.lines)
