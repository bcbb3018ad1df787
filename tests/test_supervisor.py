from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

from kiosk.supervisor import supervise


def test_crashes_are_restarted_with_growing_pauses_and_a_clean_exit_ends_it() -> None:
    statuses = iter([1, -9, 139, 0])
    pauses: list[float] = []
    assert supervise(["kiosk"], run=lambda cmd: next(statuses), sleep=pauses.append) == 0
    assert pauses == [1.0, 2.0, 4.0]


def test_problems_a_person_must_fix_are_not_restarted() -> None:
    pauses: list[float] = []
    assert supervise(["kiosk"], run=lambda cmd: 2, sleep=pauses.append) == 2
    assert pauses == []


def test_a_real_crashing_process_is_back_within_five_seconds(tmp_path: Path) -> None:
    counter = tmp_path / "starts"
    script = (
        "import os, sys, time; p = sys.argv[1]; "
        "open(p, 'a').write(f'{time.monotonic()}\\n'); "
        "n = len(open(p).read().split()); "
        "os.abort() if n < 3 else sys.exit(0)"
    )
    assert supervise([sys.executable, "-c", script, str(counter)]) == 0
    starts = [float(line) for line in counter.read_text().split()]
    assert len(starts) == 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert all(gap < 5.0 for gap in gaps), gaps
    assert time.monotonic() - starts[0] < 10
