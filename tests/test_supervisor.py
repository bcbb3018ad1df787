from __future__ import annotations

import itertools
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.supervisor import FRESH_START, SUPERVISED, fresh_start_due, supervise


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


def test_a_fresh_start_is_started_again_at_once_and_is_not_a_crash() -> None:
    statuses = iter([FRESH_START, FRESH_START, 1, 0])
    pauses: list[float] = []
    assert supervise(["kiosk"], run=lambda cmd: next(statuses), sleep=pauses.append) == 0
    assert pauses == [1.0]  # only the crash waited, and from the first pause


TAIPEI = ZoneInfo("Asia/Taipei")
STARTED = datetime(2026, 11, 29, 9, 0, tzinfo=TAIPEI)


@pytest.mark.parametrize(
    ("now", "at", "due"),
    [
        (datetime(2026, 11, 30, 3, 29, tzinfo=TAIPEI), "03:30", False),  # not yet
        (datetime(2026, 11, 30, 3, 30, tzinfo=TAIPEI), "03:30", True),
        (datetime(2026, 11, 30, 5, 30, tzinfo=TAIPEI), "03:30", True),  # busy until now
        (datetime(2026, 11, 30, 5, 31, tzinfo=TAIPEI), "03:30", False),  # the next night
        (datetime(2026, 11, 29, 19, 40, tzinfo=UTC), "03:30", True),  # 03:40 in Taipei
        (datetime(2026, 11, 30, 0, 30, tzinfo=TAIPEI), "23:30", True),  # across midnight
        (datetime(2026, 11, 30, 3, 30, tzinfo=TAIPEI), "", False),  # switched off
    ],
)
def test_the_fresh_start_falls_due_once_a_night_in_site_time(
    now: datetime, at: str, due: bool
) -> None:
    assert fresh_start_due(now, STARTED, at, TAIPEI) is due


def test_a_window_started_after_tonights_time_waits_for_tomorrows() -> None:
    started = datetime(2026, 11, 30, 3, 45, tzinfo=TAIPEI)
    assert not fresh_start_due(started + timedelta(minutes=5), started, "03:30", TAIPEI)
    tomorrow = datetime(2026, 12, 1, 3, 31, tzinfo=TAIPEI)
    assert fresh_start_due(tomorrow, started, "03:30", TAIPEI)


def test_the_supervised_process_is_told_so_and_a_fresh_start_has_no_pause(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    script = (
        "import os, sys, time; p = sys.argv[1]; "
        f"open(p, 'a').write(f'{{time.monotonic()}} {{os.environ.get(\"{SUPERVISED}\")}}\\n'); "
        "n = len(open(p).read().splitlines()); "
        f"sys.exit({FRESH_START} if n < 2 else 0)"
    )
    assert supervise([sys.executable, "-c", script, str(starts)]) == 0
    lines = [line.split() for line in starts.read_text().splitlines()]
    assert [flag for _, flag in lines] == ["1", "1"]
    assert float(lines[1][0]) - float(lines[0][0]) < 0.9  # no pause (a crash waits 1 s)
