"""Benchmarks print one table at the end; each row is a figure and its ratio to a floor that was
measured in the same run on the same machine (absolute times on shared machines mean little)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import pytest

ROWS: list[tuple[str, str, str, str]] = []


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


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
