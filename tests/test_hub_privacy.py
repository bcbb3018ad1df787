"""Proof on the hub side: a site that sends names and emails to the hub gets them deleted there
too, by retention and on request, down to the raw bytes of the hub's SQLite files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import rights
from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.hub.service import HubService
from kiosk.hub_client import HubClient
from kiosk.records import replace
from kiosk.retention import purge
from kiosk.store import Store
from kiosk.sync import sync_once
from kiosk.wire import SYNC_FIELDS
from tests.conftest import FakeClock, make_form
from tests.hub_server import hub_service, serve_hub
from tests.test_retention import CANARIES, hits


@pytest.fixture
def hub_dir(tmp_path: Path) -> Path:
    return tmp_path / "hub"


@pytest.fixture
def hub(hub_dir: Path, clock: FakeClock) -> Iterator[tuple[str, HubService]]:
    hub_dir.mkdir()
    service = hub_service(f"sqlite:///{hub_dir / 'hub.db'}", clock)
    with serve_hub(service) as url:
        yield url, service
    service.close()


@pytest.fixture
def site(config: Config, hub: tuple[str, HubService]) -> Config:
    """Everything the kiosk can send, names and emails included: the worst case for the hub."""
    token = hub[1].add_kiosk(config.kiosk_id, config.site_name)
    return replace(config, hub_url=hub[0], hub_token=token, sync_fields=SYNC_FIELDS)


def sync(store: Store, site: Config, clock: FakeClock) -> None:
    report = sync_once(store, site, HubClient(site.hub_url, site.hub_token), clock())
    assert report.retrying == 0


def test_retention_leaves_no_canary_in_the_hub_files(
    site: Config, store: Store, clock: FakeClock, hub: tuple[str, HubService], hub_dir: Path
) -> None:
    service = CheckinService(store, site, clock)
    for name, email in CANARIES.items():
        service.check_in(make_form(name=name, email=email), service.current_notice("en"))
    sync(store, site, clock)
    clock.advance(days=site.retention_days - 1)
    keeper = service.check_in(
        make_form(name="Still Here", email="still@here.example"), service.current_notice("en")
    ).visit
    sync(store, site, clock)
    for name, email in CANARIES.items():
        assert hits(hub_dir, name) and hits(hub_dir, email), "the hub should hold them now"

    clock.advance(days=1, seconds=1)
    purge(store, site.spool_dir, clock(), site.retention_days)
    assert hub[1].purge(clock())["visits"] == 2
    for name, email in CANARIES.items():
        assert hits(hub_dir, name) == [] and hits(hub_dir, email) == []
        assert hits(site.data_dir, name) == [] and hits(site.data_dir, email) == []
    assert hits(hub_dir, "Still Here"), "inside retention: untouched"
    assert keeper.id in {row["visit_id"] for row in hub[1].on_site(site.site_name)}


def test_an_erase_request_leaves_no_canary_in_the_hub_files(
    site: Config, store: Store, clock: FakeClock, hub_dir: Path
) -> None:
    service = CheckinService(store, site, clock)
    for name, email in CANARIES.items():
        service.check_in(make_form(name=name, email=email), service.current_notice("en"))
    sync(store, site, clock)
    for email in CANARIES.values():
        rights.erase(store, site.spool_dir, email, clock(), "staff:po")
    sync(store, site, clock)
    for name, email in CANARIES.items():
        assert hits(hub_dir, name) == [] and hits(hub_dir, email) == []
