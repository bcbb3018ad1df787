"""The running kiosk's sync worker against the reference hub on 127.0.0.1."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.hub.service import HubService
from kiosk.models import Host
from kiosk.records import replace
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


def test_a_check_in_sends_its_visit_at_once_and_leaves_the_site_lists_to_the_timer(
    kiosk_factory: Callable[[Config], Kiosk],
    config: Config,
    hub: tuple[str, HubService],
    qtbot: QtBot,
) -> None:
    """After each check-in the kiosk asked the hub for everything the site shares as well: the
    deny list, invitations, keys, check-outs elsewhere, privacy requests and the whole host
    directory (5,000 hosts: 115 ms a request), while the guest's badge was on its way. The
    visit goes at once; the lists come with the sync timer (every 30 s)."""
    url, service = hub
    site = replace(
        config, hub_url=url, hub_token=service.add_kiosk(config.kiosk_id, config.site_name)
    )
    kiosk = kiosk_factory(site)
    qtbot.waitUntil(lambda: not kiosk.maintenance._syncing, timeout=10_000)  # its first sync
    service.import_hosts(config.site_name, [Host("h-hub", "許文雄 Hugo Hsu", "Legal")])
    visit = kiosk.service.check_in(make_form(), kiosk.service.current_notice("en")).visit
    kiosk.flow.checked_in.emit()
    qtbot.waitUntil(lambda: visits_on_hub(service) == [visit.id], timeout=10_000)
    qtbot.waitUntil(lambda: not kiosk.maintenance._syncing, timeout=10_000)
    assert kiosk.service.directory.search("hugo") == []  # not asked for yet
    kiosk.maintenance.sync_timer.timeout.emit()
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


def test_staff_join_the_hub_with_a_code_and_get_the_site_lists_at_once(
    kiosk: Kiosk, config: Config, hub: tuple[str, HubService], qtbot: QtBot
) -> None:
    from kiosk.hub.enrolment import new_enrolment
    from tests.gui.conftest import click
    from tests.gui.test_staff import sign_in
    from ui.demo_tools import type_text

    url, service = hub
    assert not kiosk.config.hub_url  # a kiosk that has never seen a hub
    sign_in(qtbot, kiosk)
    click(qtbot, kiosk.window.staff.join_hub_button)
    screen = kiosk.window.join_hub
    assert kiosk.flow.step.value == "join_hub" and screen.url.hasFocus()
    type_text(screen.url, url)
    type_text(screen.code, "WRONG-CODE")
    click(qtbot, screen.join_button)
    qtbot.waitUntil(lambda: "24 hours" in screen.status.text(), timeout=10_000)

    code = new_enrolment(service.engine, service.clock, config.kiosk_id, config.site_name)
    screen.code.setText("")
    type_text(screen.code, code)
    click(qtbot, screen.join_button)
    joined = kiosk.flow.translator("join_hub.joined", kiosk=config.kiosk_id, site=config.site_name)
    qtbot.waitUntil(lambda: screen.status.text() == joined, timeout=10_000)
    assert (config.data_dir / "hub.json").stat().st_mode & 0o777 == 0o600
    assert (config.keys_dir / "rights.key").exists()  # the site's keys came with it
    # the first sync ran at once: the hub has heard from the kiosk
    seen = "SELECT kiosk_id FROM kiosk_status"
    heard = [{"kiosk_id": config.kiosk_id}]
    qtbot.waitUntil(lambda: hub_rows(service, seen) == heard, timeout=10_000)
    from kiosk.config import load_config

    restarted = load_config(data_dir=config.data_dir, env={})
    assert (restarted.hub_url, bool(restarted.hub_token)) == (url, True)  # after a restart
