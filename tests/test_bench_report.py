"""The rows ``make bench`` writes to bench-results.json: a figure that is itself a ratio keeps it
as its ratio, and a figure in its own unit is divided by its floor."""

from __future__ import annotations

import subprocess
import sys
import threading
from itertools import pairwise

import pytest

from tests.bench import conftest as bench
from tests.bench.test_bench_endurance import (
    FLOOR_VISITS,
    ROUNDS_ALONE,
    ROUNDS_BESIDE,
    purge_rounds,
    stdlib_imports,
)


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, object]]:
    """The results of this test alone: the suite's own run writes no bench-results.json."""
    results: dict[str, dict[str, object]] = {}
    monkeypatch.setattr(bench, "RESULTS", results)
    monkeypatch.setattr(bench, "ROWS", [])
    return results


def test_a_ratio_figure_is_its_own_ratio(written: dict[str, dict[str, object]]) -> None:
    bench.Report().result("cold_start_ratio", 1.5, "x", goal=2.0, floor=200.0)
    row = written["cold_start_ratio"]
    assert (row["figure"], row["floor"], row["ratio"], row["met"]) == (1.5, 200.0, 1.5, True)


def test_a_figure_in_its_own_unit_is_divided_by_its_floor(
    written: dict[str, dict[str, object]],
) -> None:
    report = bench.Report()
    report.result(
        "purge_rows_per_s", 75_000.0, "visits/s", goal=200_000, floor=150_000.0, at_least=True
    )
    report.result("purge_longest_tx_ms", 12.0, "ms", goal=20.0)
    purge, longest = written["purge_rows_per_s"], written["purge_longest_tx_ms"]
    assert (purge["ratio"], purge["met"]) == (0.5, False)
    assert (longest["floor"], longest["ratio"], longest["met"]) == (None, None, True)


def test_the_cli_row_counts_the_standard_modules_a_command_loaded() -> None:
    """The floor of the CLI's start is bare Python importing what the check-in itself loaded:
    read from a real ``-X importtime`` log, standard modules only, each once, in order."""
    code = "import json, csv, json.decoder, kiosk.timeutil"
    log = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, check=True
    )
    found = stdlib_imports(log.stderr.decode())
    assert {"json", "json.decoder", "csv", "datetime"} <= set(found)  # timeutil's own
    assert not [name for name in found if name.startswith(("kiosk", "tests"))]
    assert len(found) == len(set(found)) and found.index("json") < found.index("csv")
    assert stdlib_imports("import time:       123 |        456 | nt\n") == []  # not here


def test_the_machines_pace_shows_a_slice_that_was_held_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """The probe printed under a purge's longest transaction: a slice that waited (here for the
    interpreter, while another thread computes) stands out against the median of the others."""
    monkeypatch.setattr(bench, "PACE_WORK", 10_000)  # ~0.3 ms slices
    stop = threading.Event()

    def compute() -> None:
        while not stop.is_set():
            sum(number * number for number in range(1_000))

    other = threading.Thread(target=compute)
    other.start()
    try:
        median, slowest, slow = bench.machine_pace(0.3)
    finally:
        stop.set()
        other.join()
    assert 0 < median < 0.005
    assert slowest >= 5  # one slice waited out the other thread's turn (5 ms) at least once
    assert 0 < slow < 1


def test_the_purges_rounds_of_one_size_never_run_back_to_back() -> None:
    """A slow phase of the machine lasts seconds: the three 100,000 rounds, run back to back,
    were all in one and missed the goal together; taking turns with the 1,000,000 rounds, at
    most one is."""
    rounds = purge_rounds()
    alone = [visits for visits, beside in rounds if not beside]
    assert sorted(alone) == sorted(v for v, count in ROUNDS_ALONE.items() for _ in range(count))
    assert all(a != b for a, b in pairwise(alone))
    assert FLOOR_VISITS in alone
    beside = [visits for visits, beside in rounds if beside]
    assert sorted(beside) == sorted(v for v, count in ROUNDS_BESIDE.items() for _ in range(count))
