"""``make bench``: check-in latency, badge rendering and cold start, each against a floor."""

from __future__ import annotations

import functools
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.checkin import CheckinService
from kiosk.config import load_config
from kiosk.models import BadgeContent, Host
from kiosk.qr import qr_version
from kiosk.records import replace
from kiosk.store import Store
from kiosk.timeutil import utc_now
from kiosk.tokens import PREFIX
from kiosk.wire import new_visit_id
from printers.labels import LabelSpec, label
from printers.layout import render_badge
from tests.bench.conftest import Report, ms, paired_medians, percentile, sample_badge
from tests.conftest import make_form

pytestmark = pytest.mark.bench
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
ROUNDS = 1000


def floor_insert_commit(path: Path, rounds: int) -> list[float]:
    """Bare sqlite3: one row, one commit, WAL and synchronous=FULL, like the store."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT, email TEXT, at TEXT)")
    samples = []
    for n in range(rounds):
        start = time.perf_counter()
        with conn:
            conn.execute(
                "INSERT INTO t VALUES (?, ?, ?, ?)",
                (new_visit_id(utc_now()), f"Guest {n}", "g@example.com", "2026-11-25"),
            )
        samples.append(time.perf_counter() - start)
    conn.close()
    return samples


def test_checkin_latency_against_bare_insert(tmp_path: Path, report: Report) -> None:
    config = replace(load_config(env={}), data_dir=tmp_path / "kiosk")
    store = Store(config.database_path)
    service = CheckinService(store, config)
    notice = service.current_notice("en")
    floor: list[float] = floor_insert_commit(tmp_path / "floor-a.db", ROUNDS // 2)
    samples = []
    for n in range(ROUNDS):
        form = make_form(name=f"Guest {n}", email=f"guest{n}@example.com")
        start = time.perf_counter()
        service.check_in(form, notice)
        samples.append(time.perf_counter() - start)
        service.housekeeping()  # as the kiosk does, in the background after the badge shows
    floor += floor_insert_commit(tmp_path / "floor-b.db", ROUNDS // 2)
    store.close()
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    f50, f99 = percentile(floor, 0.5), percentile(floor, 0.99)
    report.row("check-in p50 (1,000)", ms(p50), ms(f50), f"{p50 / f50:.2f}x")
    report.result("checkin_p99_ratio", p99 / f99, "x", goal=3.0, floor=f99 * 1000)


def test_badge_render_time(tmp_path: Path, report: Report) -> None:
    content = sample_badge(tmp_path, "陳雅婷 Amy Chen")
    spec = label(load_config(env={}).printer_label)
    render_badge(content, spec)  # warm the font cache, as the running kiosk has
    median, floor = paired_medians(
        lambda: render_badge(content, spec), lambda: _bare_pillow_label(content, spec), rounds=40
    )
    report.result(
        "badge_render_ratio",
        median / floor,
        "x",
        goal=2.0,
        floor=floor * 1000,
    )
    payload = content.payload
    body_bytes = (len(payload) - len(PREFIX)) * 2 // 3
    report.row(
        "badge token / QR version (ECC Q)",
        f"{body_bytes} bytes, {len(payload)} chars",
        "",
        f"version {qr_version(payload)}",
    )


def _bare_pillow_label(content: BadgeContent, spec: LabelSpec) -> object:
    """The floor: what the libraries cost with none of our layout: the badge's three lines in
    the same font on a label of the same size, and qrcode's own image of the same payload."""
    import qrcode
    from PIL import Image, ImageDraw

    image = Image.new("L", spec.size_px, 255)
    draw = ImageDraw.Draw(image)
    for line, text in enumerate((content.name, content.host_name, content.date_text)):
        draw.text((40, 40 + 90 * line), text, font=_font(), fill=0)
    image.paste(qrcode.make(content.payload).get_image().convert("L"), (40, 400))
    return image


@functools.cache
def _font() -> object:
    """Loaded once, as the kiosk's layout keeps its fonts: the floor must not pay for the file."""
    from PIL import ImageFont

    return ImageFont.truetype(FONT, 64, index=3)


# The time at which the window was drawn, printed, and the process ended there.
DRAWN = """
    app.processEvents()
    print(time.perf_counter(), flush=True)
    os._exit(0)
"""
# ``kiosk run`` as the tablet starts it: the installed program (``ui.program``: the command line,
# the config, the layers' commands), then ``ui.start.run`` step by step: Welcome drawn first, the
# rest built after it. Only the window command is replaced, to stop the clock. The collector is
# turned off first, as ``ui.program`` does, because ``ui.cli`` is imported here before it.
KIOSK_RUN = (
    """
import gc, os, sys, time
gc.disable()
import ui.cli
def opened(args, config):
    from ui.application import create_application
    from ui.start import open_welcome
    app = create_application()
    window = open_welcome(app, config)
{then}"""
    + DRAWN
    + """
ui.cli.run = opened
sys.argv = ["kiosk", "--data-dir", sys.argv[1], "run"]
from ui.program import run
run()
"""
)
KIOSK_WELCOME = KIOSK_RUN.format(then="")
KIOSK_READY = KIOSK_RUN.format(
    then="""
    from ui.app import build_kiosk
    kiosk = build_kiosk(app, config, window=window)
    assert kiosk.flow.step.value == "welcome"
"""
)
BARE_WINDOW = (
    """
import os, sys, time
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
def opened():
    app = QApplication([])
    window = QMainWindow()
    window.setCentralWidget(QLabel("hello"))
    window.show()
"""
    + DRAWN
    + "opened()\n"
)


def start_time(code: str, data_dir: Path) -> float:
    """Seconds from launching the interpreter to the window drawn."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for setting in ("KIOSK_CONFIG", "KIOSK_DATA_DIR"):  # the embedded demo config, as make run
        env.pop(setting, None)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, str(data_dir)], env=env, check=True, capture_output=True
    )
    return time.perf_counter() - start


# Starts of each kind, interleaved. A process start on this 2-core machine swings with what
# else runs on it: over one run of seven rounds the bare window took 103-185 ms and the kiosk
# 170-298, and ten runs of the same code gave ratios of 1.39-2.02 (one over the goal). The
# medians of fifteen move half as much; a round costs ~1.3 s.
START_ROUNDS = 15


@pytest.mark.usefixtures("installed_bytecode")
def test_cold_start_to_welcome(tmp_path: Path, report: Report) -> None:
    """First paint of Welcome against a bare PySide6 window, with an existing data directory
    (goal 2x) and on a first run, which creates the store and keys (goal 3x); and, as a row,
    when the kiosk is ready to take a tap (everything built)."""
    existing = tmp_path / "existing"
    start_time(KIOSK_READY, existing)  # creates the store, keys and notices once
    welcome, first_run, ready, bare = [], [], [], []
    for n in range(START_ROUNDS):
        welcome.append(start_time(KIOSK_WELCOME, existing))
        first_run.append(start_time(KIOSK_READY, tmp_path / f"first{n}"))
        ready.append(start_time(KIOSK_READY, existing))
        bare.append(start_time(BARE_WINDOW, tmp_path))
    floor = report.median(bare)
    report.result(
        "cold_start_ratio", report.median(welcome) / floor, "x", goal=2.0, floor=floor * 1000
    )
    first_welcome = report.median([start_time(KIOSK_WELCOME, tmp_path / f"w{n}") for n in range(7)])
    verdict = "met" if first_welcome / floor <= 3.0 else "MISSED"
    report.row("cold start, first run", f"{first_welcome / floor:.2f}x", "goal <= 3x", verdict)
    report.row("cold start to ready", f"{report.median(ready) * 1000:.0f} ms", "", "")
    report.row("first run to ready", f"{report.median(first_run) * 1000:.0f} ms", "", "")


# The first pass over the words is the window's first keystrokes: PySide6 makes the Python types
# of what a keystroke passes (events, style options) the first time, Qt works out the proposals'
# style rules and renders their glyphs (~3.5 ms for the very first keystroke, ~2 for the first
# five proposals, then ~0.8). A kiosk does that once a process (it starts afresh once a night);
# the goal is the keystrokes after it, and the first ones are a row of their own.
WARM_UP_ROUNDS = 1


def test_host_search_on_5000_hosts(tmp_path: Path, report: Report, qtbot) -> None:  # type: ignore[no-untyped-def]
    """A guest's keystroke in the host field of the real window, over 5,000 hosts: the search,
    the proposals filled, and the events it posts handled (layout, paint). The search alone,
    without the window, is a row beside it."""
    from ui.app import build_kiosk
    from ui.application import create_application
    from ui.demo_tools import type_text
    from ui.steps import Step

    given = ["Amy", "Jimmy", "Mei", "Alex", "Sam", "雅婷", "志明", "美玲", "Noor", "Chen"]
    family = ["Chen", "Lin", "Wang", "Huang", "Lee", "Smith", "Müller", "陳", "林", "王"]
    hosts = [
        Host(
            f"h{n}",
            f"{family[n % 10]}{given[(n // 10) % 10]} {given[n % 10]} {family[(n // 100) % 10]} {n}",
        )
        for n in range(5000)
    ]
    app = create_application()
    kiosk = build_kiosk(app, replace(load_config(env={}), data_dir=tmp_path))
    kiosk.store.upsert_hosts(hosts)
    directory = kiosk.service.directory
    directory.reload()
    kiosk.window.resize(1280, 800)
    kiosk.window.show()
    kiosk.flow.go(Step.DETAILS)
    field = kiosk.window.details.host
    typed = [
        "amy ch",
        "chen li",
        "smi",
        "zz",
        "ｍｅｉ",
        "ｃｈｅｎ ｌｉ",
    ]  # Latin, two words, full-width
    typed += ["陳雅", "雅婷", "陳 amy"]  # CJK (an input method commits each character)
    queries = [word[:end] for word in typed for end in range(1, len(word) + 1)]
    floor, keystrokes, searches, first = [], [], [], []
    for round_number in range(WARM_UP_ROUNDS + 20):
        # Each in its own pass: a keystroke comes after the guest's previous one, not after a
        # scan of 5,000 names that has just pushed the window's working set out of the CPU's
        # caches (interleaved, that alone took the p99 from 2.0 to 3.0 ms).
        timed = first if round_number < WARM_UP_ROUNDS else keystrokes
        for word in typed:
            field.clear_choice()
            app.processEvents()
            for end in range(1, len(word) + 1):
                start = time.perf_counter()
                type_text(field, word[end - 1])
                app.processEvents()
                timed.append(time.perf_counter() - start)
        for query in queries:
            start = time.perf_counter()
            directory.search(query)
            searches.append(time.perf_counter() - start)
        for query in queries:
            start = time.perf_counter()
            [h for h in hosts if h.name.casefold().startswith(query)][:5]
            floor.append(time.perf_counter() - start)
    assert field.text() == typed[-1] and field.suggestions  # typed into the field, proposals shown
    p99, floor_p99 = percentile(keystrokes, 0.99), percentile(floor, 0.99)
    report.result("host_search_p99_ms", p99 * 1000, "ms", goal=2.0, floor=floor_p99 * 1000)
    slowest_first = sorted(first, reverse=True)[:3]
    report.row(
        "  the process's first keystrokes, slowest",
        ", ".join(f"{seconds * 1000:.1f}" for seconds in slowest_first) + " ms",
        "once a process",
        "",
    )
    report.row("host search alone, p99", f"{percentile(searches, 0.99) * 1000:.2f} ms", "", "")
    kiosk.window.close()
    kiosk.shutdown()
