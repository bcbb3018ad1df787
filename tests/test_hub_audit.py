"""The console's audit trail is hash-chained (both databases): entries written by the console's
work verify, and a changed or removed entry is found by ``kiosk hub audit verify``."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from kiosk.cli import main
from kiosk.hub.audit_trail import verify
from kiosk.hub.rollcalls import RollCalls
from tests.conftest import FakeClock
from tests.hub_server import hub_service


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
