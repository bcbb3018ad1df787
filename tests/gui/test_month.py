"""A month of a kiosk's upkeep on an injected clock: nothing may pile up.

Every simulated hour runs what the kiosk's timers run (retention, the end-of-day check-out,
notification retries, sync); guests check in each morning and their badges print through the job
process. The notification server and the hub are away all month, so retries and the sync queue
are exercised as hard as they can be. Measured each day once retention has reached its steady
state: the kiosk's timers, the outbox, the WAL and the open file descriptors.
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QTimer

from kiosk.config import Config
from kiosk.models import Host
from kiosk.records import replace
from tests.conftest import FakeClock, make_form
from ui.app import Kiosk
from ui.demo_tools import wait_until

pytestmark = pytest.mark.gui
DAYS = 30
RETENTION_DAYS = 5
GUESTS_A_DAY = 3
NOTIFY_EVERY_HOURS = 4
WEEK = 7


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _timers(kiosk: Kiosk) -> int:
    owners: list[QObject] = [kiosk.window, kiosk.flow, kiosk.maintenance, kiosk.jobs]
    return sum(len(owner.findChildren(QTimer)) for owner in owners)


def _outbox_rows(kiosk: Kiosk) -> int:
    return len(kiosk.store._rows("SELECT id FROM outbox"))


def _wal_bytes(config: Config) -> int:
    wal = Path(f"{config.database_path}-wal")
    return wal.stat().st_size if wal.exists() else 0


def _open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def _print(kiosk: Kiosk, visit_id: str) -> bool:
    printed: list[bool] = []
    kiosk.flow.services.print_job(visit_id, lambda result: printed.append(result.ok))
    wait_until(lambda: bool(printed), "the badge to print")
    return printed == [True]


def _upkeep(kiosk: Kiosk, hour: int) -> None:
    """One simulated hour of the kiosk's timers. Notification retries run every few hours: each
    failed send to the absent mail server costs ~20 ms of real time, and the outbox's own backoff
    (30 s doubling to 30 min) makes every open job due at each of these runs anyway."""
    maintenance = kiosk.maintenance
    runs = [maintenance.run_sync, maintenance.run_auto_checkout, maintenance.run_retention]
    if hour % NOTIFY_EVERY_HOURS == 0:
        runs.append(maintenance.run_notifications)
    for run in runs:
        run()
    wait_until(
        lambda: not (kiosk.workers.busy() or kiosk.jobs.busy() or maintenance._syncing),
        "the hour's upkeep",
    )


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc")
def test_a_month_of_upkeep_leaves_nothing_behind(
    kiosk_factory: Callable[[Config], Kiosk], config: Config, clock: FakeClock
) -> None:
    away = _closed_port()
    site = replace(
        config,
        retention_days=RETENTION_DAYS,
        hub_url=f"http://127.0.0.1:{away}",
        hub_token="t" * 43,
        notify_email_url=f"mailto://127.0.0.1:{away}?from=kiosk@example.com",
        hosts=(Host("h-chen", "陳雅婷 Amy Chen", email="amy@example.com"),),
    )
    kiosk = kiosk_factory(site)
    notice = kiosk.service.current_notice("en")
    daily: list[dict[str, int]] = []
    for day in range(DAYS):
        for hour in range(24):
            clock.advance(hours=1)
            if hour < GUESTS_A_DAY:
                visit = kiosk.service.check_in(make_form(name=f"Guest {day} {hour}"), notice).visit
                assert _print(kiosk, visit.id)
            _upkeep(kiosk, hour)
        daily.append(
            {
                "timers": _timers(kiosk),
                "outbox": _outbox_rows(kiosk),
                "wal": _wal_bytes(site),
                "fds": _open_files(),
            }
        )
    steady = daily[RETENTION_DAYS + 2 :]
    assert {row["timers"] for row in daily} == {daily[0]["timers"]}, "timers multiplied"
    # Retention keeps RETENTION_DAYS of visits, and with them three rows each: the notification
    # given up (its reason stays for staff), the check-in and check-out waiting for the absent
    # hub. Printed badges' finished jobs are gone within the hour; purged visits take the rest.
    assert max(row["outbox"] for row in steady) <= RETENTION_DAYS * GUESTS_A_DAY * 3
    assert max(row["wal"] for row in steady) <= 4 * 1024 * 1024, "the WAL keeps growing"
    # A leak raises the count day after day; the rest of the test process (the suite's
    # servers and their threads) opens and closes a socket or a pipe now and then (a day of 24
    # among days of 26 in one full run). So the quietest day of the last week is compared with
    # the quietest of the first: a descriptor a day shows as 16 more.
    first_week, last_week = steady[:WEEK], steady[-WEEK:]
    by_day = " ".join(str(row["fds"]) for row in daily)
    assert min(row["fds"] for row in last_week) <= min(row["fds"] for row in first_week), by_day


def test_a_job_process_that_dies_is_restarted_and_the_badge_still_prints(
    kiosk_factory: Callable[[Config], Kiosk], config: Config
) -> None:
    """A printer driver that crashes takes only the job process down; the job stays queued."""
    kiosk = kiosk_factory(config)
    notice = kiosk.service.current_notice("en")
    visit = kiosk.service.check_in(make_form(), notice).visit
    answers: list[bool] = []
    wait_until(lambda: kiosk.jobs.pid() > 0, "the job process to start")
    first = kiosk.jobs.pid()
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: kiosk.jobs.pid() not in (0, first), "the job process to restart")
    kiosk.flow.services.print_job(visit.id, lambda result: answers.append(result.ok))
    wait_until(lambda: bool(answers), "the badge to print")
    assert answers == [True]
    assert kiosk.store.pending_outbox("print", visit.id) == []
