"""A lobby's day in one process: 150 guests through the real window (``kiosk demo --guests``).

Run as a child process, so that a crash of the binding (an abort, not an exception) fails this
test instead of the whole run. Short tests cannot see what this sees: a setter that releases None
once too often, a widget or timer left behind per guest, memory that creeps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
GUESTS = 150
GROWTH_MB = 5  # after warm-up (guest 50), memory stays put


def test_150_guests_in_one_process_no_crash_no_growth(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "demo",
            "--json",
            "--guests",
            str(GUESTS),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "KIOSK_CONFIG": ""},
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["guests"] == GUESTS
    assert 0 < report["declined"] < GUESTS // 5
    assert report["checked_out"] > 0
    rss = report["rss_mb"]
    assert rss["end"] - rss["warm"] <= GROWTH_MB, rss
    # A sample every 25 guests, so a benchmark can see the memory's shape, not two points.
    samples = rss["samples"]
    assert [guests for guests, _, _ in samples] == list(range(25, GUESTS + 1, 25))
    assert all(a[1] < b[1] for a, b in pairwise(samples))
    assert all(rss["start"] <= mb <= rss["peak"] for _, _, mb in samples)
    assert report == json.loads((tmp_path / "soak.json").read_text(encoding="utf-8"))


@pytest.mark.usefixtures("qapp")
def test_the_soaks_waits_keep_no_memory_of_their_own() -> None:
    """The soak waits for each screen in short pauses, ten thousand of them per thousand guests;
    each pause kept ~64 bytes in PySide6 (a timer's callable without a context object), which
    the growth figure charged to the kiosk."""
    import gc
    import tracemalloc

    from ui.demo_tools import pause

    for _ in range(50):
        pause(1)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(500):
            pause(1)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 4_000, f"{grown} bytes kept by 500 pauses"


def test_a_sample_at_the_peak_never_reads_above_it() -> None:
    """Every memory figure is rounded alike: the peak to 0.1 MiB beside samples to 0.01 MiB let a
    last sample of 180.14 MiB read as above a peak of 180.1, and failed the soak on one run."""
    from ui.soak import SoakReport

    report = SoakReport(rss_start=101.04, rss_peak=180.14, rss_samples=[(25, 1.0, 180.14)])
    rss = report.as_json()["rss_mb"]
    assert isinstance(rss, dict)
    ((_, _, sample),) = rss["samples"]
    assert rss["start"] == 101.04
    assert rss["start"] <= sample <= rss["peak"]
