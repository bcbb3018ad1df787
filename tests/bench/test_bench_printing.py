"""``make bench``: what each printer backend costs to prepare a badge, and proof that a slow
printer does not slow the guest's badge screen."""

from __future__ import annotations

import io
import statistics
import time
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.records import replace
from printers.brother import raster_job
from printers.labels import label
from printers.layout import on_page, render_badge
from printers.zebra import zpl_job
from tests.bench.conftest import Report, median_time, ms, sample_badge
from tests.printer_peers import Peer, brother_status

pytestmark = pytest.mark.bench


def test_render_and_encode_per_backend(tmp_path: Path, report: Report) -> None:
    content = sample_badge(tmp_path, "Host")
    dk, zebra = label("dk-11202"), label("zebra-4x3")
    render_badge(content, dk)  # warm fonts
    floor = median_time(lambda: render_badge(content, dk))

    def file_backend() -> None:
        image = on_page(render_badge(content, dk), dk)
        image.save(io.BytesIO(), "PNG")
        image.save(io.BytesIO(), "PDF", resolution=dk.dpi)

    figures = {
        "file (PNG + PDF)": median_time(file_backend),
        "brother (QL-820NWB raster)": median_time(
            lambda: raster_job(render_badge(content, dk), dk, "QL-820NWB")
        ),
        "zebra (ZPL ^GF, 4x3 in)": median_time(lambda: zpl_job(content, zebra)),
        "cups (PDF)": median_time(
            lambda: on_page(render_badge(content, dk), dk).save(
                io.BytesIO(), "PDF", resolution=dk.dpi
            )
        ),
    }
    for name, seconds in figures.items():
        report.row(
            f"render + encode: {name}",
            ms(seconds),
            ms(floor) + " (render only)",
            f"{seconds / floor:.2f}x",
        )
    assert all(seconds < 1.0 for seconds in figures.values())


def test_badge_screen_does_not_wait_for_a_slow_printer(
    tmp_path: Path, report: Report, qtbot
) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.conftest import click, to_notice
    from ui.app import build_kiosk
    from ui.application import create_application

    app = create_application()
    timings = {}
    for delay in (0.0, 5.0):
        peer = Peer("brother", status=brother_status(), delay=delay).start()
        config = replace(
            load_config(env={}),
            data_dir=tmp_path / f"d{delay}",
            printer_backend="brother",
            printer_target=peer.target,
            printer_timeout=10.0,
        )
        kiosk = build_kiosk(app, config)
        kiosk.window.resize(1280, 800)
        kiosk.window.show()
        samples = []
        for _ in range(3):
            kiosk.flow.reset()
            to_notice(qtbot, kiosk)
            start = time.perf_counter()
            click(qtbot, kiosk.window.notice.accept)
            qtbot.waitUntil(lambda k=kiosk: k.flow.step.value == "badge", timeout=5_000)
            samples.append(time.perf_counter() - start)
        timings[delay] = statistics.median(samples)
        kiosk.maintenance.stop()
        kiosk.workers.wait(30_000)  # let the slow prints finish before the store closes
        kiosk.window.close()
        kiosk.shutdown()
        peer.stop()
    fast, slow = timings[0.0], timings[5.0]
    report.row(
        "check-in to badge screen, printer answers in 5 s",
        ms(slow),
        ms(fast) + " (instant printer)",
        f"{slow / fast:.2f}x",
    )
    assert slow < 1.0  # the guest never waits for the printer
