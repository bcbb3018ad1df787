"""The running kiosk's sync worker against the reference hub on 127.0.0.1."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.hub.service import HubService
from kiosk.models import Host
from tests.conftest import FakeClock, make_form
from tests.hub_server import hub_rows, hub_service, serve_hub
from ui.app import Kiosk

pytestmark = pytest.mark.gui


@pytest.fixture
def hub(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[str, HubService]]:
    service = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    with serve_hub(service) as url:
        yield url, service
    service.close()


def visits_on_hub(service: HubService) -> list[str]:
    return [row["visit_id"] for row in hub_rows(service, "SELECT visit_id FROM visits")]


def test_the_sync_worker_sends_visits_and_refreshes_the_site_lists(
    kiosk_factory: Callable[[Config], Kiosk],
    config: Config,
    hub: tuple[str, HubService],
    qtbot: QtBot,
) -> None:
    url, service = hub
    service.import_hosts(config.site_name, [Host("h-hub", "許文雄 Hugo Hsu", "Legal")])
    site = replace(
        config, hub_url=url, hub_token=service.add_kiosk(config.kiosk_id, config.site_name)
    )
    kiosk = kiosk_factory(site)
    visit = kiosk.service.check_in(make_form(), kiosk.service.current_notice("en")).visit
    kiosk.maintenance.run_sync()
    qtbot.waitUntil(lambda: visits_on_hub(service) == [visit.id], timeout=10_000)
    # what the guest's host picker searches, in memory, without a restart
    qtbot.waitUntil(lambda: kiosk.service.directory.search("hugo") != [], timeout=10_000)


def test_a_hub_that_is_away_is_a_warning_not_an_error(
    kiosk_factory: Callable[[Config], Kiosk],
    config: Config,
    qtbot: QtBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    away = replace(config, hub_url="http://127.0.0.1:9", hub_token="lkh_any")  # nothing listens
    kiosk = kiosk_factory(away)
    with caplog.at_level(logging.WARNING, logger="ui.maintenance"):
        kiosk.maintenance.run_sync()
        qtbot.waitUntil(lambda: not kiosk.maintenance._syncing, timeout=10_000)
    messages = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "ui.maintenance"]
    assert messages == [
        (logging.WARNING, "site lists not refreshed: hub not reachable (ConnectionError)")
    ]
