"""Shared fixtures: a config in a temporary data directory, a fake clock, a real store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.badges import BadgeTokens
from kiosk.checkin import CheckinService
from kiosk.config import Config, load_config
from kiosk.hosts import HostDirectory
from kiosk.hub.service import HubService
from kiosk.keys import KeyRing, load_or_create
from kiosk.models import CheckinForm
from kiosk.records import replace
from kiosk.store import Store
from printers import PrintResult
from printers.file import FilePrinter
from printers.jobs import print_badge
from tests.browser import Browsers
from tests.fault_proxy import FaultProxy
from tests.hub_server import hub_service as open_hub_service
from tests.hub_server import serve_hub
from tests.postgres import fresh_database, postgres_server
from tests.printer_peers import cups_available, private_cupsd
from tests.receivers import SmtpServer, free_port

START = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)  # 09:30 in Taipei


class FakeClock:
    """A clock tests move by hand, so nothing ever sleeps."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return replace(load_config(env={}), data_dir=tmp_path / "data")


@pytest.fixture
def store(config: Config) -> Iterator[Store]:
    opened = Store(config.database_path)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """One private PostgreSQL server for the session (started on first use)."""
    yield from postgres_server()


_databases = iter(range(1, 1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty hub database URL: each hub test runs on both databases."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    server: str = request.getfixturevalue("postgres")
    return fresh_database(server, f"hub_{next(_databases)}")


@pytest.fixture
def memory_store() -> Iterator[Store]:
    opened = Store(":memory:")
    yield opened
    opened.close()


@pytest.fixture
def keys(config: Config, clock: FakeClock) -> KeyRing:
    return load_or_create(config.keys_dir, clock())


@pytest.fixture
def tokens(keys: KeyRing, config: Config, store: Store) -> BadgeTokens:
    return BadgeTokens(keys, config, store)


@pytest.fixture
def directory(store: Store, config: Config) -> HostDirectory:
    return HostDirectory(store, config)


@pytest.fixture
def service(
    store: Store, config: Config, clock: FakeClock, directory: HostDirectory
) -> CheckinService:
    return CheckinService(store, config, clock, directory)


def make_form(**overrides: str) -> CheckinForm:
    values = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "purpose": "meeting",
        "host_id": "h-chen",
        "language": "en",
        "purpose_text": "",
    }
    values.update(overrides)
    return CheckinForm(**values)


def print_to_spool(
    store: Store, config: Config, tokens: BadgeTokens, visit_id: str, now: datetime
) -> PrintResult:
    """Print a visit's pending badge with the file backend, into the spool the kiosk purges."""
    return print_badge(
        store,
        config,
        FilePrinter(config.spool_dir),
        tokens,
        HostDirectory(store, config),
        visit_id,
        now,
    )


@pytest.fixture
def hub_on_db(hub_db: str, clock: FakeClock) -> Iterator[HubService]:
    """The reference hub's service on a fresh database (each test on SQLite and PostgreSQL)."""
    opened = open_hub_service(hub_db, clock)
    yield opened
    opened.close()


@pytest.fixture
def hub(hub_on_db: HubService) -> Iterator[str]:
    """That hub served over real HTTP on 127.0.0.1; yields its base URL."""
    with serve_hub(hub_on_db) as url:
        yield url


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A started SMTP server on 127.0.0.1 that keeps what it receives."""
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


# A hub on SQLite behind a fault proxy, and the demo site synced to it (the sync tests).
SYNC_SITE = "Demo Tower"  # the demo config's site name


@pytest.fixture
def sqlite_hub(tmp_path: Path, clock: FakeClock) -> Iterator[HubService]:
    service = open_hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    yield service
    service.close()


@pytest.fixture
def hub_url(sqlite_hub: HubService) -> Iterator[str]:
    with serve_hub(sqlite_hub) as url:
        yield url


@pytest.fixture
def proxy(hub_url: str) -> Iterator[FaultProxy]:
    faults = FaultProxy(int(hub_url.rsplit(":", 1)[1]))
    yield faults
    faults.close()


@pytest.fixture
def site(config: Config, proxy: FaultProxy, sqlite_hub: HubService) -> Config:
    return replace(config, hub_url=proxy.url, hub_token=sqlite_hub.add_kiosk("lobby-1", SYNC_SITE))


@pytest.fixture(scope="module")
def cups_server() -> Iterator[str]:
    missing = cups_available()
    if missing:
        pytest.skip(missing)
    with private_cupsd() as server:
        yield server


@pytest.fixture
def console_hub(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[HubService, str]]:
    """A hub on SQLite served on 127.0.0.1 (API and console), for the console tests."""
    service = open_hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    with serve_hub(service) as url:
        yield service, url
    service.close()


@pytest.fixture(scope="session")
def browsers() -> Iterator[Browsers]:
    """Chromiums for the console tests, kept for the session and wiped between tests."""
    kept = Browsers()
    yield kept
    kept.close()
