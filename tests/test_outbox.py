"""One outbox for every kind of job: a badge that failed to print is tried again on the same
backoff as a notification, and given up when a late badge would help nobody."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from kiosk.badges import BadgeTokens
from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.hosts import HostDirectory
from kiosk.outbox import PRINT_GIVE_UP, failed_prints_due, jobs_for_visit
from kiosk.store import Store
from printers.file import FilePrinter
from printers.jobs import print_badge, retry_failed_prints
from tests.conftest import FakeClock, make_form


def test_every_job_kind_has_a_deadline_where_waiting_stops_helping(
    config: Config, clock: FakeClock
) -> None:
    from kiosk.records import replace

    site = replace(config, hub_url="https://hub.example", notify_email_url="mailto://x@y")
    jobs = jobs_for_visit(site, clock(), print_badge=True, visitor_copy=True)
    assert set(jobs) == {"print", "notify", "visitor_copy", "sync"}
    assert jobs["print"] == clock() + PRINT_GIVE_UP
    assert jobs["sync"] is None  # the hub must get every visit, however late


def test_a_failed_print_is_retried_after_its_backoff_and_given_up_at_its_deadline(
    store: Store, config: Config, clock: FakeClock, tokens: BadgeTokens, tmp_path: Path
) -> None:
    service = CheckinService(store, config, clock)
    directory = HostDirectory(store, config)
    visit = service.check_in(make_form(), service.current_notice("en")).visit
    blocked = tmp_path / "spool"
    blocked.write_text("not a folder: the printer is 'off'")
    off = FilePrinter(blocked)
    args = (store, config, off, tokens, directory)
    assert not print_badge(*args, visit.id, clock()).ok
    (job,) = store.pending_outbox("print", visit.id)
    assert job["attempts"] == 1 and job["next_attempt_at"] and job["last_error"]

    clock.advance(seconds=10)  # the backoff (30 s ± 20 %) is not over
    assert failed_prints_due(store, clock()) == []
    assert retry_failed_prints(*args, clock()) == []

    blocked.unlink()  # the printer is back
    clock.advance(seconds=40)
    (result,) = retry_failed_prints(store, config, FilePrinter(blocked), tokens, directory, clock())
    assert result.ok and store.pending_outbox("print", visit.id) == []
    assert (blocked / f"badge-{visit.id}.png").exists()

    late = service.check_in(make_form(name="Late Badge"), service.current_notice("en")).visit
    blocked_again = tmp_path / "off-again"
    blocked_again.write_text("off")
    never = (store, config, FilePrinter(blocked_again), tokens, directory)
    assert not print_badge(*never, late.id, clock()).ok
    tries = 1
    for _ in range(12):  # keeps failing: retried on the backoff until the deadline
        clock.advance(minutes=2)
        tries += len(retry_failed_prints(*never, clock()))
    assert 3 <= tries <= 8  # 30 s, 1 min, 2 min, 4 min … within the 15 minutes
    assert store.pending_outbox("print", late.id) == []  # given up, not pending for ever
    overview = store.outbox_overview()
    (gave_up,) = [r for r in overview if r["visit_id"] == late.id and r["kind"] == "print"]
    assert gave_up["done_at"] and gave_up["last_error"]
    assert failed_prints_due(store, clock() + timedelta(days=1)) == []
