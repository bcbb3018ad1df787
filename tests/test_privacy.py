"""Privacy that can be proven: per-field retention, DST-correct deadlines, rights requests, an
audit trail that shows tampering, and a purge that survives being killed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk import audit, rights
from kiosk.checkin import CheckinService
from kiosk.cli import main
from kiosk.config import Config
from kiosk.records import replace
from kiosk.retention import purge
from kiosk.store import Store
from kiosk.timeutil import days_later
from tests.conftest import FakeClock, make_form, print_to_spool
from tests.test_invitations import invite
from tests.test_retention import hits


def test_email_and_notes_can_go_before_the_name(
    store: Store, config: Config, clock: FakeClock
) -> None:
    cfg = replace(config, email_retention_days=7, notes_retention_days=1)
    service = CheckinService(store, cfg, clock)
    form = make_form(
        name="Nadia Keepname",
        email="short.lived@canary.example",
        purpose="other",
        purpose_text="Parcel canarynote",
    )
    visit = service.check_in(form, service.current_notice("en")).visit
    assert visit.email_purge_after == clock.now + timedelta(days=7)
    clock.advance(days=1, seconds=1)
    purge(store, cfg.spool_dir, clock(), cfg.retention_days)
    assert store.visit(visit.id).purpose_text == ""  # type: ignore[union-attr]
    assert store.visit(visit.id).email == "short.lived@canary.example"  # type: ignore[union-attr]
    clock.advance(days=6)
    result = purge(store, cfg.spool_dir, clock(), cfg.retention_days)
    kept = store.visit(visit.id)
    assert kept is not None and kept.email == "" and kept.name == "Nadia Keepname"
    assert result.fields_erased == 1
    assert hits(cfg.data_dir, "short.lived@canary.example") == []
    assert hits(cfg.data_dir, "canarynote") == []
    assert hits(cfg.data_dir, "Nadia Keepname")  # still inside its own retention


def test_field_retention_cannot_exceed_the_visit(tmp_path: Path) -> None:
    from kiosk.config import ConfigError, load_config

    path = tmp_path / "kiosk.toml"
    path.write_text("[retention]\ndays = 10\nemail_days = 20\n")
    with pytest.raises(ConfigError, match=r"email_days.*1 to 10"):
        load_config(path, env={})


def test_deadlines_are_calendar_days_in_the_site_zone_across_dst() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    before_spring = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)  # 10:00 CET
    assert days_later(before_spring, 30, berlin) == datetime(
        2026, 4, 27, 8, 0, tzinfo=UTC
    )  # 10:00 CEST
    before_autumn = datetime(2026, 10, 24, 8, 0, tzinfo=UTC)  # 10:00 CEST
    assert days_later(before_autumn, 1, berlin) == datetime(
        2026, 10, 25, 9, 0, tzinfo=UTC
    )  # 10:00 CET


def test_export_lists_everything_with_the_notice_text(
    store: Store, config: Config, clock: FakeClock
) -> None:
    service = CheckinService(store, config, clock)
    notice = service.current_notice("zh-TW")
    for n in range(2):
        service.check_in(
            make_form(name=f"Eva {n}", email="Eva.Export@Example.ORG", language="zh-TW"), notice
        )
    service.check_in(
        make_form(name="Someone Else", email="else@example.org"), service.current_notice("en")
    )
    exported = rights.export(store, config, "eva.export@example.org", clock(), "staff:po")
    assert [v["name"] for v in exported["visits"]] == ["Eva 0", "Eva 1"]
    assert exported["visits"][0]["notices"][0]["text"] == notice.text
    text = rights.as_text(exported)
    assert "Eva 1" in text and "Someone Else" not in text and "蒐集者" in text
    (row,) = [r for r in store.audit_rows() if r["action"] == "export"]
    assert row["record"] == exported["receipt"] and "eva" not in json.dumps(row).lower()


def test_erase_removes_everything_at_once_and_leaves_a_receipt(
    store: Store, config: Config, clock: FakeClock, tokens
) -> None:  # type: ignore[no-untyped-def]

    service = CheckinService(store, config, clock)
    canary = "Erasmus Zqxcanary"
    visit = service.check_in(
        make_form(name=canary, email="erase.me@canary.example"), service.current_notice("en")
    ).visit
    print_to_spool(store, config, tokens, visit.id, clock())
    other = service.check_in(make_form(name="Stays Here"), service.current_notice("en")).visit
    receipt = rights.erase(store, config.spool_dir, "ERASE.me@canary.example", clock(), "staff:po")
    assert receipt.visits == 1 and len(receipt.receipt) == 12
    assert store.visit(visit.id) is None and store.visit(other.id) is not None
    assert hits(config.data_dir, canary) == [] and hits(config.data_dir, "erase.me@canary") == []
    (request,) = store.erase_requests()
    assert json.loads(request["visit_ids"]) == [visit.id]
    assert audit.verify(store).ok


def test_a_request_covers_the_persons_invitations_too(
    store: Store, config: Config, clock: FakeClock
) -> None:
    """An invitation holds a name, an address, a host and a day: what the person is owed in an
    export and what an erasure takes, like their visits. Both left invitations out (kept until
    their day was over, which may be weeks ahead)."""
    canary = "Inez Zqxinvited"
    invite(store, config, clock, name=canary, email="Inez.Invited@Canary.example")
    other = invite(store, config, clock, name="Otto Other", email="otto@example.org")
    exported = rights.export(store, config, "inez.invited@canary.example", clock(), "staff:po")
    (invitation,) = exported["invitations"]
    assert invitation["name"] == canary and invitation["host_id"] == "h-chen"
    assert canary in rights.as_text(exported) and "Otto" not in rights.as_text(exported)
    receipt = rights.erase(store, config.spool_dir, "INEZ.invited@canary.example", clock(), "po")
    assert receipt.invitations == 1
    assert [row["code"] for row in store.invitations()] == [other.code]
    assert hits(config.data_dir, canary) == [] and hits(config.data_dir, "Inez.Invited@") == []


def test_audit_retention_keeps_the_chain_verifiable(store: Store, clock: FakeClock) -> None:
    for n in range(5):
        audit.record(store, clock(), "print", "kiosk", f"v{n}")
        clock.advance(days=100)
    assert audit.purge_older_than(store, clock() - timedelta(days=250)) == 3
    assert len(list(store.audit_rows())) == 2
    check = audit.verify(store)
    assert check.ok and check.entries == 2
    store._db.execute("DELETE FROM audit WHERE record = 'v3'")
    assert not audit.verify(store).ok


def test_rights_and_notices_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--data-dir", str(tmp_path / "data")]
    assert (
        main(
            [
                *base,
                "checkin",
                "--name",
                "Cli Person",
                "--email",
                "cli@example.org",
                "--purpose",
                "meeting",
                "--accept-notice",
                "--json",
                "--lang",
                "en",
            ]
        )
        == 0
    )
    version = json.loads(capsys.readouterr().out)["notice_version"]
    assert main([*base, "rights", "export", "--email", "CLI@example.org", "--json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["visits"][0]["name"] == "Cli Person"
    assert main([*base, "notices", "show", "--version", version]) == 0
    assert "Who is responsible" in capsys.readouterr().out
    assert main([*base, "notices", "show", "--version", "nope"]) == 2
    assert main([*base, "rights", "erase", "--email", "not an address"]) == 2
    capsys.readouterr()
    assert main([*base, "rights", "erase", "--email", "cli@example.org"]) == 0
    assert "erased 1 visit; receipt" in capsys.readouterr().out
    assert main([*base, "rights", "export", "--email", "cli@example.org"]) == 0
    assert "No visit and no invitation is stored" in capsys.readouterr().out
    assert main([*base, "audit", "verify"]) == 0


def test_a_purge_killed_midway_leaves_a_consistent_store(tmp_path: Path, config: Config) -> None:
    cfg = replace(config, data_dir=tmp_path / "data")
    store = Store(cfg.database_path)
    service = CheckinService(store, cfg)
    notice = service.current_notice("en")
    for n in range(3000):
        service.check_in(make_form(name=f"Killcanary {n}"), notice, print_badge=False)
    store.close()
    later = (datetime.now(UTC) + timedelta(days=cfg.retention_days + 1)).isoformat()
    env = {**os.environ, "KIOSK_DATA_DIR": str(cfg.data_dir)}
    child = subprocess.Popen([sys.executable, "-m", "kiosk", "purge", "--now", later], env=env)
    time.sleep(0.15)
    child.send_signal(signal.SIGKILL)
    child.wait()
    with sqlite3.connect(cfg.database_path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        left = raw.execute("SELECT count(*) FROM visits").fetchone()[0]
        orphans = raw.execute(
            "SELECT count(*) FROM outbox WHERE visit_id NOT IN (SELECT id FROM visits)"
        ).fetchone()[0]
    assert orphans == 0 and 0 <= left <= 3000
    finished = subprocess.run(
        [sys.executable, "-m", "kiosk", "purge", "--now", later, "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(finished.stdout)["visits_erased"] == left
    assert hits(cfg.data_dir, "Killcanary") == []


def test_config_changes_are_audited(store: Store, config: Config, clock: FakeClock) -> None:
    assert audit.note_config(store, config, clock())
    assert not audit.note_config(store, config, clock())  # same settings: nothing new
    assert audit.note_config(store, replace(config, retention_days=14), clock())
    assert [r["action"] for r in store.audit_rows()] == ["config", "config"]
    assert audit.verify(store).ok
