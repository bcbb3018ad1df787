"""The Qt binding must not release None once too often.

PySide6 6.12.0 does, in nearly every setter: each ``QLabel.setText`` call lowers
``sys.getrefcount(None)`` by one, and on Python 3.11 (where None is not immortal) the kiosk window
dies with ``Fatal Python error: none_dealloc`` after 50-100 guests. pyproject.toml caps PySide6
below 6.12; these tests tell whether a newer release may be let in. The setters are probed in a
child process (``refcount_probe.py``), because a faulty binding kills the interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gui.refcount_probe import CALLS
from ui.app import Kiosk

pytestmark = pytest.mark.gui
# Wrappers and caches may take a few references to None once; a faulty binding drops one per
# call, thousands in all. The margin tells the two apart without being fooled by either.
MARGIN = CALLS // 10
PROBE = Path(__file__).with_name("refcount_probe.py")


def test_no_setter_the_screens_use_loses_a_reference_to_none() -> None:
    probe = subprocess.run(
        [sys.executable, str(PROBE)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    changes = {
        row["setter"]: row["none_refs"] for row in map(json.loads, probe.stdout.splitlines())
    }
    assert len(changes) >= 15, f"the probe stopped early:\n{probe.stderr[-2000:]}"
    losses = {name: change for name, change in changes.items() if change < -MARGIN}
    assert not losses, f"the Qt binding releases None too often ({CALLS} calls each): {losses}"
    assert probe.returncode == 0, probe.stderr[-2000:]


def test_the_real_window_keeps_none_alive_through_hundreds_of_resets(kiosk: Kiosk) -> None:
    """What a lobby does all day: every guest resets the screens, half switch language."""
    flow = kiosk.flow
    for _warm in range(5):
        flow.reset()
    before = sys.getrefcount(None)
    for guest in range(300):
        flow.reset()
        flow.set_language(kiosk.config.languages[guest % len(kiosk.config.languages)])
    assert sys.getrefcount(None) - before > -MARGIN
