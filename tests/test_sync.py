"""The sync client against a stand-in hub on 127.0.0.1: minimal records, exactly once, in order,
retried when the hub is away, parked when it refuses a record."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk import rights
from kiosk.checkin import CheckinService
from kiosk.checkout import CheckoutService
from kiosk.config import Config, ConfigError, load_config
from kiosk.store import Store
from kiosk.sync import HubClient, projection, sync_once
from tests.conftest import FakeClock, make_form
from tests.hub_standin import Hub, hub_standin


@pytest.fixture
def hub() -> Iterator[tuple[str, Hub]]:
    yield from hub_standin()


@pytest.fixture
def site(config: Config, hub: tuple[str, Hub]) -> Config:
    return replace(config, hub_url=hub[0], hub_token="kiosk-token-1")


def client(site: Config) -> HubClient:
    return HubClient(site.hub_url, site.hub_token)


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
    hub: tuple[str, Hub],
    store: Store,
    clock: FakeClock,
    tokens,  # type: ignore[no-untyped-def]
) -> None:
    service = CheckinService(store, site, clock)
    visit = service.check_in(make_form(), service.current_notice("en")).visit
    assert sync_once(store, site, client(site), clock()).sent == 1
    CheckoutService(store, site, tokens, clock).check_out(visit.id)
    assert sync_once(store, site, client(site), clock()).sent == 1
    assert sync_once(store, site, client(site), clock()).sent == 0
    stored = hub[1].records
    assert set(stored) == {f"{visit.id}:checkin", f"{visit.id}:checkout"}
    assert stored[f"{visit.id}:checkout"]["record"]["checked_out_at"] is not None
    assert hub[1].tokens_seen == {"Bearer kiosk-token-1"}


def test_a_lost_response_is_replayed_and_the_hub_keeps_one_copy(
    site: Config, hub: tuple[str, Hub], store: Store, clock: FakeClock
) -> None:
    service = CheckinService(store, site, clock)
    service.check_in(make_form(), service.current_notice("en"))
    hub[1].drop_after_store = True  # stored, then the answer is lost on the way back
    first = sync_once(store, site, client(site), clock())
    assert first.retrying == 1 and len(hub[1].records) == 1
    clock.advance(minutes=1)
    assert sync_once(store, site, client(site), clock()).sent == 1  # "duplicate" counts as done
    assert len(hub[1].records) == 1 and store.pending_outbox("sync") == []


def test_a_day_offline_is_caught_up_in_order(
    site: Config, hub: tuple[str, Hub], store: Store, clock: FakeClock
) -> None:
    service = CheckinService(store, site, clock)
    hub[1].down = True
    visits = []
    for hour in range(24):
        visits.append(
            service.check_in(make_form(name=f"Guest {hour}"), service.current_notice("en")).visit
        )
        sync_once(store, site, client(site), clock())
        clock.advance(hours=1)
    assert hub[1].records == {}
    hub[1].down = False
    clock.advance(hours=1)
    while sync_once(store, site, client(site), clock()).sent:
        pass
    arrived = [event["record"]["visit_id"] for event in hub[1].records.values()]
    assert arrived == [v.id for v in visits]  # in order of occurrence


def test_a_refused_record_is_parked_and_the_queue_moves_on(
    site: Config, hub: tuple[str, Hub], store: Store, clock: FakeClock
) -> None:
    service = CheckinService(store, site, clock)
    hub[1].reject_purpose = "delivery"
    service.check_in(make_form(purpose="delivery"), service.current_notice("en"))
    kept = service.check_in(make_form(purpose="meeting"), service.current_notice("en")).visit
    report = sync_once(store, site, client(site), clock())
    assert (report.sent, report.parked) == (1, 1)
    assert list(hub[1].records) == [f"{kept.id}:checkin"]
    (parked,) = [r for r in store.outbox_overview() if r["kind"] == "sync"]
    assert parked["last_error"] == "gave up: parked: unknown purpose"


def test_erase_requests_reach_the_hub_once(
    site: Config, hub: tuple[str, Hub], store: Store, clock: FakeClock
) -> None:
    service = CheckinService(store, site, clock)
    service.check_in(make_form(email="gone@example.org"), service.current_notice("en"))
    receipt = rights.erase(store, site.spool_dir, "gone@example.org", clock(), "staff:po")
    report = sync_once(store, site, client(site), clock())
    assert report.erase_requests == 1 and hub[1].erased == [receipt.receipt]
    assert sync_once(store, site, client(site), clock()).erase_requests == 0
    assert hub[1].records == {}  # the erased check-in never left


def test_sync_command(
    tmp_path: Path, hub: tuple[str, Hub], capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.cli import main

    config = tmp_path / "kiosk.toml"
    config.write_text(f'[hub]\nurl = "{hub[0]}"\ntoken = "t-1"\n')
    base = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
    for n in range(3):
        assert (
            main(
                [
                    *base,
                    "checkin",
                    "--name",
                    f"S{n}",
                    "--email",
                    "s@example.org",
                    "--purpose",
                    "meeting",
                    "--accept-notice",
                ]
            )
            == 0
        )
    capsys.readouterr()
    assert main([*base, "sync"]) == 0
    assert "sent 3" in capsys.readouterr().out
    assert len(hub[1].records) == 3
    hub[1].down = True
    assert (
        main(
            [
                *base,
                "checkin",
                "--name",
                "Late",
                "--email",
                "s@example.org",
                "--purpose",
                "meeting",
                "--accept-notice",
            ]
        )
        == 0
    )
    assert main([*base, "sync", "--once"]) == 1
    assert "will retry 1" in capsys.readouterr().out
