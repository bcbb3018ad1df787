"""The console's audit trail is hash-chained (both databases): entries written by the console's
work verify, and a changed or removed entry is found by ``kiosk hub audit verify``."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from kiosk.cli import main
from kiosk.hub import audit_trail
from kiosk.hub.admin_site import SiteAdmin
from kiosk.hub.audit_trail import ChainState, check_in_full, purge_before, recent_state, verify
from kiosk.hub.rollcalls import RollCalls
from kiosk.hub.service import HubService
from kiosk.hub.upkeep import purge_everything
from kiosk.timeutil import to_db
from tests.conftest import FakeClock
from tests.hub_server import hub_service
from tests.test_hub_indexes import _plan, _statements_of


def test_a_changed_or_removed_entry_breaks_the_chain(hub_db: str, clock: FakeClock) -> None:
    service = hub_service(hub_db, clock)
    roll_calls = RollCalls(service, clock)
    roll_call = roll_calls.start("Harbour", "desk")
    for login in ("desk", "guard"):
        roll_calls.tick("Harbour", roll_call.roll_call_id, "v-none", login, True)
    roll_calls.close("Harbour", roll_call.roll_call_id, "guard")
    assert verify(service.engine) == (2, None)  # started, closed (no such visit to tick)
    with service.engine.begin() as db:
        db.execute(sa.text("UPDATE console_audit SET login = 'someone' WHERE id = 1"))
    assert verify(service.engine) == (0, 1)
    service.close()


def test_audit_verify_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clock: FakeClock
) -> None:
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    service = hub_service(db, clock)
    roll_calls = RollCalls(service, clock)
    first = roll_calls.start("Harbour", "desk")
    roll_calls.close("Harbour", first.roll_call_id, "desk")
    second = roll_calls.start("Harbour", "desk")
    roll_calls.close("Harbour", second.roll_call_id, "desk")
    base = ["--data-dir", str(tmp_path / "k"), "hub", "audit", "verify", "--db", db]
    assert main(base) == 0
    assert "ok: 4 entries" in capsys.readouterr().out
    with service.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM console_audit WHERE id = 2"))
    assert main(base) == 1
    assert "BROKEN at entry 3" in capsys.readouterr().out
    service.close()


def _entries(service: HubService, clock: FakeClock, count: int) -> None:
    """``count`` entries of the console's work: a roll call started and closed is two."""
    roll_calls = RollCalls(service, clock)
    for _ in range(count // 2):
        roll_call = roll_calls.start("Harbour", "desk")
        roll_calls.close("Harbour", roll_call.roll_call_id, "desk")


def _ids(service: HubService) -> list[int]:
    with service.engine.connect() as db:
        return [row.id for row in db.execute(sa.text("SELECT id FROM console_audit ORDER BY id"))]


def test_the_trail_is_kept_audit_days_and_what_is_kept_still_verifies(
    hub_db: str, clock: FakeClock
) -> None:
    """Entries older than ``audit_days`` go with the hourly purge, oldest first; the last one
    gone anchors the chain, so what is kept verifies, and a kept entry removed still shows."""
    service = hub_service(hub_db, clock, audit_days=30)
    _entries(service, clock, 6)
    clock.advance(days=20)
    _entries(service, clock, 4)
    clock.advance(days=15)  # the first six are 35 days old, the last four 15
    assert purge_everything(service)["audit"] == 6
    assert _ids(service) == [7, 8, 9, 10]
    assert verify(service.engine) == (4, None)
    assert purge_everything(service)["audit"] == 0

    clock.advance(days=30)  # all old: the newest stays, and the chain goes on from it
    assert purge_everything(service)["audit"] == 3
    _entries(service, clock, 2)
    assert _ids(service) == [10, 11, 12]
    assert verify(service.engine) == (3, None)
    with service.engine.begin() as db:
        db.execute(sa.text("DELETE FROM console_audit WHERE id = 10"))
    assert verify(service.engine) == (0, 11)  # no longer follows from the anchor
    service.close()


def test_the_purge_goes_a_chunk_at_a_time_and_keeps_for_good_at_0_days(
    hub_db: str, clock: FakeClock
) -> None:
    service = hub_service(hub_db, clock, audit_days=0)
    _entries(service, clock, 10)
    clock.advance(days=4000)
    assert purge_everything(service)["audit"] == 0
    assert purge_before(service.engine, to_db(clock()), to_db(clock()), limit=3) == 9
    assert _ids(service) == [10]
    _entries(service, clock, 2)
    assert verify(service.engine) == (3, None)
    service.close()


def test_the_audit_page_checks_only_what_came_since_the_last_full_check(
    hub_db: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full check costs ~27 µs an entry (2.7 s at 100,000), so the console's page checks only
    the entries after the newest one the hub's upkeep found intact; the upkeep's check finds a
    change further back, and the page shows it until a full check finds the chain whole."""
    service = hub_service(hub_db, clock)
    _entries(service, clock, 40)
    assert recent_state(service.engine) == ChainState(40, None, "")  # never checked: all of it
    assert check_in_full(service.engine, "2026-11-29T03:00:00.000000Z") == (40, None)
    _entries(service, clock, 4)
    hashed: list[str] = []
    real_hash = audit_trail.entry_hash

    def counted(prev_hash: str, entry: dict[str, str]) -> str:
        hashed.append(entry["record"])
        return real_hash(prev_hash, entry)

    monkeypatch.setattr(audit_trail, "entry_hash", counted)
    state = recent_state(service.engine)
    assert state == ChainState(44, None, "2026-11-29T03:00:00.000000Z")
    assert len(hashed) == 1 + 4  # the marked entry itself and the four since, not 44

    _tamper(service, 43)  # after the mark: the page sees it at once
    assert recent_state(service.engine).first_bad == 43
    _tamper(service, 43, back=True)
    _tamper(service, 5)  # before it: the next full check does, and the page shows that
    assert recent_state(service.engine).first_bad is None
    assert check_in_full(service.engine, "2026-11-29T04:00:00.000000Z") == (4, 5)
    assert recent_state(service.engine) == ChainState(44, 5, "2026-11-29T04:00:00.000000Z")
    _tamper(service, 5, back=True)
    assert check_in_full(service.engine, "2026-11-29T05:00:00.000000Z") == (44, None)
    assert recent_state(service.engine).first_bad is None

    _tamper(service, 44)  # the very entry the mark names: checked from the start again
    hashed.clear()
    assert recent_state(service.engine).first_bad == 44
    assert len(hashed) == 1 + 44
    service.close()


def _tamper(service: HubService, entry_id: int, back: bool = False) -> None:
    """Change an entry's login (or change it back)."""
    login = "desk" if back else "someone"
    with service.engine.begin() as db:
        db.execute(
            sa.text("UPDATE console_audit SET login = :login WHERE id = :id"),
            {"login": login, "id": entry_id},
        )


def test_a_negative_audit_days_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    base = ["--data-dir", str(tmp_path / "k"), "hub", "purge", "--db", db]
    assert main([*base, "--audit-days", "-1"]) == 2
    assert "--audit-days must be 0 (for good) or more" in capsys.readouterr().err
    assert main([*base, "--audit-days", "0"]) == 0
    assert '"audit": 0' in capsys.readouterr().out


def test_an_empty_trail_purges_and_checks(hub_db: str, clock: FakeClock) -> None:
    service = hub_service(hub_db, clock, audit_days=1)
    assert purge_everything(service)["audit"] == 0
    assert recent_state(service.engine) == ChainState(0, None, to_db(clock()))
    service.close()


def test_a_site_s_audit_page_reads_its_own_entries_by_index(
    hub_on_db: HubService, clock: FakeClock
) -> None:
    """A site's page read the trail back from the newest entry, every site's, until it had found
    its 200: a small site on a busy hub read nearly all of it."""
    _entries(hub_on_db, clock, 2)
    admin = SiteAdmin(hub_on_db)
    sql, parameters = _statements_of(
        hub_on_db, lambda: admin.audit_entries("Harbour"), lambda sql: "console_audit" in sql
    )[0]
    plan = _plan(hub_on_db, sql, parameters)
    assert "console_audit_by_site" in plan, plan
