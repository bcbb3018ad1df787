"""Hub benchmarks: draining a big outbox to a local hub, and ingest from four kiosks at once on
PostgreSQL. Each figure has a floor measured in the same run: bare HTTP round trips for the first,
bare INSERT batches through psycopg for the second."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

from kiosk.config import load_config
from kiosk.hub_client import HubClient
from kiosk.records import replace
from kiosk.store import Store
from kiosk.sync import BATCH, drain
from kiosk.timeutil import from_db, utc_now
from kiosk.wire import new_visit_id
from tests.bench.conftest import Report
from tests.fault_proxy import FaultProxy
from tests.hub_server import hub_service, serve_hub
from tests.postgres import fresh_database
from tests.queued import queue_visits

pytestmark = pytest.mark.bench
QUEUED = 10_000
KIOSKS = 4


class CountingSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.count += 1
        return super().request(*args, **kwargs)


@pytest.mark.parametrize("drop_rate", [0.0, 0.3])
def test_draining_10000_queued_visits(tmp_path: Path, report: Report, drop_rate: float) -> None:
    """To a SQLite hub on loopback; with 30 % of the hub's answers dropped after it committed,
    the kiosk must resend and the hub answer replays: 0 duplicates, 0 lost."""
    hub = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", utc_now)
    config = replace(load_config(env={}), data_dir=tmp_path / "kiosk")
    store = Store(config.database_path)
    queue_visits(store, config, QUEUED)
    with serve_hub(hub) as hub_url:
        proxy = FaultProxy(int(hub_url.rsplit(":", 1)[1]), drop_rate=drop_rate)
        url = proxy.url if drop_rate else hub_url
        config = replace(
            config, hub_url=url, hub_token=hub.add_kiosk(config.kiosk_id, config.site_name)
        )
        session = CountingSession()
        client = HubClient(url, config.hub_token, session)
        moments = iter(utc_now() + timedelta(hours=n) for n in range(1_000_000))
        start = time.perf_counter()
        # As `kiosk sync` and the app drain; each call that stopped on a batch the hub could not
        # take is followed by the next at a later hour: measure work, not backoff.
        while drain(store, config, client, lambda: next(moments)).retrying:
            pass
        took = time.perf_counter() - start
        proxy.close()
        floor_session = requests.Session()
        start = time.perf_counter()
        for _ in range(session.count):
            floor_session.get(f"{hub_url}/v1/health", timeout=5).raise_for_status()
        floor = time.perf_counter() - start
    store.close()
    with hub._engine.connect() as db:
        held = db.exec_driver_sql("SELECT count(*) FROM visits").scalar_one()
    hub.close()
    assert held == QUEUED
    name = "sync_visits_per_s_30pct_drops" if drop_rate else "sync_visits_per_s"
    goal = 1_500.0 if drop_rate else 3_000.0
    report.result(name, QUEUED / took, "visits/s", goal=goal, floor=QUEUED / floor, at_least=True)
    report.row(name, f"{session.count} requests", f"{floor:.2f} s bare round trips", "")


def _in_threads(work: Callable[[int], None]) -> float:
    threads = [threading.Thread(target=work, args=(n,)) for n in range(KIOSKS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def test_hub_ingest_on_postgresql_from_four_kiosks(durable_postgres: str, report: Report) -> None:
    postgres = durable_postgres
    hub = hub_service(fresh_database(postgres, "bench_hub"), utc_now)
    per_kiosk = QUEUED // KIOSKS
    now = "2026-11-25T01:30:00.000000Z"
    purge_after = "2099-01-01T00:00:00.000000Z"
    # as the kiosks make them, made before the clock starts (both runs insert the same ones)
    ids = [[new_visit_id(from_db(now)) for _ in range(per_kiosk)] for _ in range(KIOSKS)]

    def batch(kiosk: int, start: int) -> list[dict[str, Any]]:
        return [
            {
                "event": "checkin",
                "idempotency_key": f"{ids[kiosk][n]}:checkin",
                "record": {
                    "visit_id": ids[kiosk][n],
                    "kiosk_id": f"lobby-{kiosk}",
                    "host_id": "h-chen",
                    "purpose": "meeting",
                    "checked_in_at": now,
                    "purge_after": purge_after,
                },
            }
            for n in range(start, start + BATCH)
        ]

    with serve_hub(hub) as url:
        tokens = [hub.add_kiosk(f"lobby-{n}", "Demo Tower") for n in range(KIOSKS)]

        def kiosk(n: int) -> None:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {tokens[n]}"
            for start in range(0, per_kiosk, BATCH):
                answer = session.post(
                    f"{url}/v1/events", json={"events": batch(n, start)}, timeout=30
                )
                assert answer.status_code == 200

        took = _in_threads(kiosk)
    with hub._engine.connect() as db:
        held = db.exec_driver_sql("SELECT count(*) FROM visits").scalar_one()
    hub.close()
    assert held == QUEUED

    floor_db = fresh_database(postgres, "bench_floor")
    with psycopg.connect(floor_db, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE visits (visit_id text PRIMARY KEY, kiosk_id text, "
            "host_id text, purpose text, checked_in_at text, purge_after text)"
        )

    def bare(n: int) -> None:
        with psycopg.connect(floor_db) as connection:
            for start in range(0, per_kiosk, BATCH):
                with connection.transaction(), connection.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO visits VALUES (%s, %s, %s, %s, %s, %s)",
                        [
                            (ids[n][i], f"lobby-{n}", "h-chen", "meeting", now, purge_after)
                            for i in range(start, start + BATCH)
                        ],
                    )

    floor = _in_threads(bare)
    report.result(
        "hub_ingest_pg_events_per_s",
        QUEUED / took,
        "events/s",
        goal=2_500.0,
        floor=QUEUED / floor,
        at_least=True,
    )
