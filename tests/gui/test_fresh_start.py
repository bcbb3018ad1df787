"""The supervised window's nightly fresh start: only when its time has come and the kiosk is quiet,
and then the supervisor has the window back at once."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from kiosk.supervisor import FRESH_START, supervise
from tests.conftest import FakeClock
from ui.fresh_start import QUIET_SECONDS, FreshStart

pytestmark = pytest.mark.gui
TAIPEI = ZoneInfo("Asia/Taipei")


class Lobby:
    """What the fresh start looks at besides the steps it is told of: work in hand, the time."""

    def __init__(self) -> None:
        self.clock = FakeClock(datetime(2026, 11, 30, 1, 0, tzinfo=TAIPEI))
        self.seconds = 0.0
        self.busy = False
        self.asked = 0

    def fresh_start(self) -> FreshStart:
        fresh = FreshStart(
            "03:30",
            TAIPEI,
            self.clock,
            on_welcome=True,  # built as the window opens, on Welcome
            busy=lambda: self.busy,
            monotonic=lambda: self.seconds,
        )
        fresh.due.connect(self.ask)
        return fresh

    def ask(self) -> None:
        self.asked += 1

    def wait(self, minutes: float) -> None:
        self.clock.advance(minutes=minutes)
        self.seconds += minutes * 60


def test_the_fresh_start_waits_for_its_time_and_a_quiet_kiosk(qtbot: QtBot) -> None:
    lobby = Lobby()
    fresh = lobby.fresh_start()
    lobby.wait(120)  # 03:00: not yet
    fresh.check()
    assert lobby.asked == 0
    lobby.wait(35)  # 03:35, but a guest has just started
    fresh.step_changed("details")
    fresh.check()
    assert lobby.asked == 0
    fresh.step_changed("welcome")  # done; the badge is still printing
    lobby.busy = True
    lobby.wait(QUIET_SECONDS / 60)
    fresh.check()
    assert lobby.asked == 0
    lobby.busy = False
    fresh.check()
    assert lobby.asked == 1


def test_a_kiosk_busy_all_night_waits_for_the_next_night(qtbot: QtBot) -> None:
    lobby = Lobby()
    fresh = lobby.fresh_start()
    fresh.step_changed("staff")
    lobby.wait(4 * 60 + 40)  # 05:40: staff mode was open past the two hours
    fresh.step_changed("welcome")
    lobby.wait(QUIET_SECONDS / 60)
    fresh.check()
    assert lobby.asked == 0
    lobby.wait(22 * 60)  # the next night, 03:42
    fresh.check()
    assert lobby.asked == 1


def test_switched_off_it_never_runs(qtbot: QtBot) -> None:
    fresh = FreshStart("", TAIPEI, FakeClock(), on_welcome=True, busy=lambda: False)
    fresh.start()
    assert not fresh.timer.isActive()


WINDOW = """
import sys
from kiosk.records import replace
from datetime import timedelta
from pathlib import Path
from PySide6.QtCore import QTimer
from kiosk.config import load_config
from kiosk.timeutil import utc_now
import ui.fresh_start
from ui import start
from ui.application import create_application

data, starts, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
alone = mode in ("alone", "guest")
ui.fresh_start.CHECK_EVERY_MS, ui.fresh_start.QUIET_SECONDS = 50, 0.0
config = replace(load_config(env={}), data_dir=data)
a_minute_ago = (utc_now() - timedelta(minutes=1)).astimezone(config.zone)
config = replace(config, fresh_start=f"{a_minute_ago:%H:%M}")
starts.write_text((starts.read_text() if starts.exists() else "") + "start\\n")
first = len(starts.read_text().split()) == 1
if first or alone:  # a window that has been up since before tonight's time
    made = ui.fresh_start.FreshStart.__init__
    def up_for_an_hour(self, *args, **kwargs):
        made(self, *args, **kwargs)
        self._started -= timedelta(hours=1)
    ui.fresh_start.FreshStart.__init__ = up_for_an_hour
if mode == "guest":  # a guest taps Check in before the first look at the time, and stays
    began = ui.fresh_start.FreshStart.start
    def a_guest_arrives(self):
        window = next(w for w in app.topLevelWidgets() if hasattr(w, "welcome"))
        QTimer.singleShot(0, window.welcome.checkin.click)
        began(self)
    ui.fresh_start.FreshStart.start = a_guest_arrives
app = create_application()  # the one start.run takes up
if not first or alone:  # this test ends such a window itself, a little later
    QTimer.singleShot(3000 if alone else 1500, app.quit)
else:  # without its fresh start, it would stay up: end it as a failure the test can see
    QTimer.singleShot(15000, lambda: app.exit(3))
sys.exit(start.run(config))
"""


def test_the_real_window_ends_itself_and_the_supervisor_has_it_back(tmp_path: Path) -> None:
    """``kiosk run --supervise``'s pair of processes, with the wait shortened: the first window
    is past its time and quiet, so it ends with FRESH_START; the second started after that time
    and stays up (until this test closes it)."""
    starts = tmp_path / "starts"
    env = {"QT_QPA_PLATFORM": "offscreen", "KIOSK_CONFIG": ""}
    statuses: list[int] = []

    def run(command: list[str]) -> int:
        import subprocess

        status = subprocess.call(command, env={**os.environ, **env, "KIOSK_SUPERVISED": "1"})
        statuses.append(status)
        return status

    command = [sys.executable, "-c", WINDOW, str(tmp_path / "data"), str(starts), "supervised"]
    assert supervise(command, run=run, max_restarts=2) == 0
    assert statuses == [FRESH_START, 0]
    assert starts.read_text().split() == ["start", "start"]
    assert (tmp_path / "data" / "kiosk.db").exists()


def test_an_unsupervised_window_has_no_fresh_start(tmp_path: Path) -> None:
    """``kiosk run`` alone: nobody would start the window again, so it never ends itself, even
    past its time and quiet."""
    import subprocess

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KIOSK_CONFIG": ""}
    env.pop("KIOSK_SUPERVISED", None)
    begun = datetime.now()
    command = [sys.executable, "-c", WINDOW, str(tmp_path / "data"), str(tmp_path / "s"), "alone"]
    assert subprocess.call(command, env=env) == 0  # quit by the test after 3 s, not 75 at once
    assert datetime.now() - begun >= timedelta(seconds=3)


def test_a_guest_in_the_middle_of_a_check_in_keeps_the_window(tmp_path: Path) -> None:
    """Past its time, supervised, but a guest has left Welcome: the window learns of the step
    from the flow itself (``step_changed``) and stays up until the test closes it."""
    import subprocess

    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "KIOSK_CONFIG": "",
        "KIOSK_SUPERVISED": "1",
    }
    command = [sys.executable, "-c", WINDOW, str(tmp_path / "data"), str(tmp_path / "s"), "guest"]
    assert subprocess.call(command, env=env) == 0  # quit by the test after 3 s, not FRESH_START
