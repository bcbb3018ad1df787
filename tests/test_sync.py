"""The sync client against the reference hub on 127.0.0.1: minimal records, exactly once, in
order, retried when the hub is away, parked when it refuses a record; through a fault proxy
that drops responses, and across a kiosk killed mid-batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kiosk import rights
from kiosk.checkin import CheckinService
from kiosk.checkout import CheckoutService
from kiosk.config import Config, ConfigError, load_config
from kiosk.hub.service import HubService
from kiosk.hub_client import HubClient
from kiosk.records import replace
from kiosk.store import Store
from kiosk.sync import projection, sync_once
from tests.conftest import FakeClock, make_form
from tests.fault_proxy import FaultProxy
from tests.hub_server import hub_rows, hub_service, serve_hub

SITE = "Demo Tower"  # the demo config's site name


def client(site: Config) -> HubClient:
    return HubClient(site.hub_url, site.hub_token)


def held(service: HubService, sql: str = "SELECT * FROM visits") -> list[dict[str, Any]]:
    return hub_rows(service, sql)


def drain(store: Store, site: Config, clock: FakeClock, batch_size: int = 50) -> None:
    """Sync until nothing is pending, letting the injected clock pass each retry delay."""
    for _ in range(500):
        report = sync_once(store, site, client(site), clock(), batch_size=batch_size)
        if not store.pending_outbox("sync") and not report.retrying:
            return
        clock.advance(minutes=31)
    raise AssertionError("the outbox never drained")


def test_only_the_configured_fields_leave_the_kiosk(
    site: Config, store: Store, clock: FakeClock
) -> None:
    service = CheckinService(store, site, clock)
    visit = service.check_in(
        make_form(name="Min Imal", email="min@example.org"), service.current_notice("en")
    ).visit
    event = projection(visit, "checkin", site)
    assert set(event["record"]) == {
        "visit_id",
        "site",
        "kiosk_id",
        "host_id",
        "purpose",
        "checked_in_at",
        "checked_out_at",
        "notice_version",
        "purge_after",
    }
    assert "Min Imal" not in str(event) and "min@example.org" not in str(event)
    with_names = replace(site, sync_fields=(*site.sync_fields, "name"))
    assert projection(visit, "checkin", with_names)["record"]["name"] == "Min Imal"


def test_fields_are_checked_in_the_config(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[hub]\nurl = "https://hub.example"\nfields = ["name"]\n')
    with pytest.raises(ConfigError, match="visit_id"):
        load_config(path, env={})
    path.write_text('[hub]\nurl = "https://hub.example"\nfields = ["visit_id", "shoe_size"]\n')
    with pytest.raises(ConfigError, match="fields"):
        load_config(path, env={})
    assert load_config(env={"KIOSK_HUB_TOKEN": "t"}).hub_token == "t"


def test_check_in_and_out_arrive_once_with_the_token(
    site: Config,
    sqlite_hub: HubService,
    store: Store,
    clock: FakeClock,
    tokens,  # type: ignore[no-untyped-def]
) -> None:
    service = CheckinService(store, site, clock)
    visit = service.check_in(make_form(), service.current_notice("en")).visit
    assert sync_once(store, site, client(site), clock()).sent == 1
    clock.advance(hours=1)
    CheckoutService(store, site, tokens, clock).check_out(visit.id)
    assert sync_once(store, site, client(site), clock()).sent == 1
    assert sync_once(store, site, client(site), clock()).sent == 0
    (row,) = held(sqlite_hub)
    assert row["visit_id"] == visit.id and row["kiosk_id"] == "lobby-1"
    assert row["checked_out_at"] is not None
    assert row["name"] is None and row["email"] is None  # not in the default projection
    wrong = replace(site, hub_token="lkh_wrong")
    service.check_in(make_form(), service.current_notice("en"))
    report = sync_once(store, wrong, client(wrong), clock())
    assert report.retrying == 1
    assert "401" in store.outbox_overview()[-1]["last_error"]


def test_thirty_percent_lost_responses_still_store_each_visit_once(
    hub_db: str, config: Config, store: Store, clock: FakeClock, tokens: Any
) -> None:
    """The fault proxy drops 30 % of responses after the hub committed, on SQLite and
    PostgreSQL; every check-in and check-out is held exactly once."""
    hub = hub_service(hub_db, clock)
    with serve_hub(hub) as url:
        proxy = FaultProxy(int(url.rsplit(":", 1)[1]), drop_rate=0.3)
        site = replace(config, hub_url=proxy.url, hub_token=hub.add_kiosk("lobby-1", SITE))
        service = CheckinService(store, site, clock)
        checkout = CheckoutService(store, site, tokens, clock)
        visits = [
            service.check_in(make_form(name=f"G{n}"), service.current_notice("en")).visit
            for n in range(60)
        ]
        for visit in visits[::3]:
            checkout.check_out(visit.id)
        drain(store, site, clock, batch_size=4)
        proxy.close()
    rows = held(hub)
    hub.close()
    assert proxy.dropped >= 5, "the proxy should have lost some answers"
    assert 0.15 < proxy.dropped / proxy.responses < 0.45
    assert sorted(r["visit_id"] for r in rows) == sorted(v.id for v in visits)
    assert sum(1 for r in rows if r["checked_out_at"]) == 20
    assert store.pending_outbox("sync") == []
    assert all(not (r["last_error"] or "").startswith("gave up") for r in store.outbox_overview())


def test_a_day_offline_is_caught_up_in_order(
    site: Config, proxy: FaultProxy, sqlite_hub: HubService, store: Store, clock: FakeClock
) -> None:
    service = CheckinService(store, site, clock)
    proxy.refuse = True  # the hub is unreachable for a day of check-ins
    visits = []
    for _hour in range(24):
        for _ in range(5):
            visits.append(service.check_in(make_form(), service.current_notice("en")).visit)
            clock.advance(minutes=12)
        sync_once(store, site, client(site), clock())
    assert held(sqlite_hub) == []
    proxy.refuse = False
    drain(store, site, clock)
    arrived = [
        r["visit_id"] for r in held(sqlite_hub, "SELECT visit_id FROM visits ORDER BY rowid")
    ]
    assert arrived == [v.id for v in visits]  # in order of occurrence


def test_a_refused_record_is_parked_and_the_queue_moves_on(
    site: Config, sqlite_hub: HubService, store: Store, clock: FakeClock
) -> None:
    service = CheckinService(store, site, clock)
    odd = service.check_in(make_form(), service.current_notice("en")).visit
    with store._transaction() as db:  # a host id the hub cannot take (it allows 64 characters)
        db.execute("UPDATE visits SET host_id = ? WHERE id = ?", ["h" * 80, odd.id])
    kept = service.check_in(make_form(), service.current_notice("en")).visit
    report = sync_once(store, site, client(site), clock())
    assert (report.sent, report.parked) == (1, 1)
    assert [r["visit_id"] for r in held(sqlite_hub)] == [kept.id]
    (parked,) = [r for r in store.outbox_overview() if r["kind"] == "sync"]
    assert parked["last_error"] == "gave up: parked: host_id is longer than 64 characters"


def test_erase_requests_reach_the_hub_once(
    site: Config, sqlite_hub: HubService, store: Store, clock: FakeClock
) -> None:
    service = CheckinService(store, site, clock)
    sent = service.check_in(make_form(email="gone@example.org"), service.current_notice("en"))
    drain(store, site, clock)
    service.check_in(make_form(email="gone@example.org"), service.current_notice("en"))
    receipt = rights.erase(store, site.spool_dir, "gone@example.org", clock(), "staff:po")
    report = sync_once(store, site, client(site), clock())
    assert report.erase_requests == 1
    assert sync_once(store, site, client(site), clock()).erase_requests == 0
    assert held(sqlite_hub) == []  # the sent visit erased, the other never left
    (erasure,) = held(sqlite_hub, "SELECT * FROM erasures")
    assert erasure["receipt"] == receipt.receipt and erasure["erased"] == 1
    assert sent.visit.id in {r["visit_id"] for r in held(sqlite_hub, "SELECT * FROM tombstones")}


def _kiosk(base: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *base, *args], capture_output=True, text=True, check=False
    )


def test_sync_command(
    tmp_path: Path, site: Config, proxy: FaultProxy, sqlite_hub: HubService
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[hub]\nurl = "{site.hub_url}"\ntoken = "{site.hub_token}"\n')
    base = ["--config", str(config), "--data-dir", str(tmp_path / "cli-data")]
    checkin = ["checkin", "--name", "S", "--email", "s@example.org", "--purpose", "meeting"]
    for _ in range(3):
        assert _kiosk(base, *checkin, "--accept-notice").returncode == 0
    done = _kiosk(base, "sync")
    assert done.returncode == 0, done.stderr
    assert "sent 3" in done.stdout
    assert len(held(sqlite_hub)) == 3
    proxy.refuse = True
    assert _kiosk(base, *checkin, "--accept-notice").returncode == 0
    done = _kiosk(base, "sync", "--once")
    assert done.returncode == 1
    assert "will retry 1" in done.stdout
    outbox = _kiosk(base, "outbox")
    assert "hub not reachable" in outbox.stdout


def test_a_kiosk_killed_mid_batch_loses_nothing_and_duplicates_nothing(
    tmp_path: Path, site: Config, proxy: FaultProxy, sqlite_hub: HubService
) -> None:
    """SIGKILL while the hub's answer is on its way back (the hub has committed the batch):
    after a restart the kiosk sends the batch again and the hub keeps one copy."""
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[hub]\nurl = "{site.hub_url}"\ntoken = "{site.hub_token}"\n')
    base = ["--config", str(config), "--data-dir", str(tmp_path / "cli-data")]
    for n in range(12):
        done = _kiosk(base, "checkin", "--name", f"K{n}", "--email", "k@example.org",
                      "--purpose", "meeting", "--accept-notice")  # fmt: skip
        assert done.returncode == 0, done.stderr
    proxy.hold_seconds = 30
    syncing = subprocess.Popen([sys.executable, "-m", "kiosk", *base, "sync"])
    assert proxy.response_seen.wait(20), "the hub never answered"
    os.kill(syncing.pid, signal.SIGKILL)
    syncing.wait()
    assert len(held(sqlite_hub)) == 12  # committed on the hub, unknown to the kiosk
    proxy.hold_seconds = 0
    done = _kiosk(base, "sync")
    assert done.returncode == 0, done.stderr
    assert "sent 12" in done.stdout
    assert len(held(sqlite_hub)) == 12
    assert len(held(sqlite_hub, "SELECT * FROM receipts")) == 12
    waiting = _kiosk(base, "outbox").stdout.splitlines()
    assert waiting and not [line for line in waiting if line.startswith("sync")]
