"""Benchmarks print one table at the end; each row is a figure and its ratio to a floor that was
measured in the same run on the same machine (absolute times on shared machines mean little)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.badges import BadgeContent, BadgeTokens
from kiosk.checkin import CheckinService
from kiosk.config import load_config
from kiosk.keys import load_or_create
from kiosk.store import Store
from tests.conftest import make_form

ROWS: list[tuple[str, str, str, str]] = []


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def median_time(work: Callable[[], object], rounds: int = 10) -> float:
    """The median of ``rounds`` timed calls: one stray pause on a shared machine does not move it."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def sample_badge(data_dir: Path, host_name: str) -> BadgeContent:
    """The badge of a real check-in, with a two-script name (the costliest text to lay out)."""
    config = replace(load_config(env={}), data_dir=data_dir)
    store = Store(":memory:")
    service = CheckinService(store, config)
    visit = service.check_in(
        make_form(name="陳大文 Tai-man Chan"), service.current_notice("en")
    ).visit
    tokens = BadgeTokens(load_or_create(data_dir / "keys", visit.checked_in_at), config, store)
    content = tokens.content(visit, host_name)
    store.close()
    return content


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


class Report:
    def row(self, what: str, figure: str, floor: str = "", verdict: str = "") -> None:
        ROWS.append((what, figure, floor, verdict))

    @staticmethod
    def median(samples: Sequence[float]) -> float:
        return statistics.median(samples)


@pytest.fixture
def report() -> Report:
    return Report()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not ROWS:
        return
    widths = [
        max(len(r[i]) for r in [("benchmark", "figure", "floor", "ratio / target"), *ROWS])
        for i in range(4)
    ]
    terminalreporter.write_sep("=", "Lobby Kiosk benchmarks")
    for row in [("benchmark", "figure", "floor", "ratio / target"), *ROWS]:
        terminalreporter.write_line(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        )
