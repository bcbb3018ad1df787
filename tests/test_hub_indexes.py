"""The hub's visit indexes (#17): what a kiosk pulls on every sync (the site's on-site list, its
visits checked out elsewhere) is read through partial indexes holding only what they list, and
a checked-out visit, as every expired one is, is in neither, so retention skips them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from kiosk.hub.schema import migrate
from kiosk.hub.service import HubService
from tests.conftest import FakeClock
from tests.test_hub import checkin

NEW_INDEXES = {"visits_on_site_now", "visits_out_elsewhere"}


def _statement_of(hub: HubService, call: Callable[[], object]) -> tuple[str, Any]:
    """The SQL (and its parameters) the call ran against the visits table."""
    seen: list[tuple[str, Any]] = []

    def statement(_c: object, _cur: object, sql: str, parameters: Any, *_rest: object) -> None:
        if "FROM visits" in sql:
            seen.append((sql, parameters))

    sa.event.listen(hub._engine, "before_cursor_execute", statement)
    try:
        call()
    finally:
        sa.event.remove(hub._engine, "before_cursor_execute", statement)
    (ran,) = seen
    return ran


def _plan(hub: HubService, sql: str, parameters: Any) -> str:
    with hub._engine.connect() as db:
        cursor: Any = db.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        if db.dialect.name == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", parameters)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = off")  # a near-empty table: any usable index wins
        cursor.execute(f"EXPLAIN {sql}", parameters)
        return "\n".join(str(row[0]) for row in cursor.fetchall())


@pytest.mark.parametrize("listed", ["on site", "checked out elsewhere"])
def test_what_a_kiosk_pulls_on_every_sync_is_read_by_its_own_partial_index(
    hub_on_db: HubService, clock: FakeClock, listed: str
) -> None:
    """Before, ``GET /v1/checkouts`` read every visit of the site: 29 ms a sync at 300,000."""
    hub = hub_on_db
    identity = hub.authenticate(hub.add_kiosk("lobby-a", "taipei"))
    assert identity is not None
    hub.ingest(identity, [checkin("v1", clock)])
    call, index = {
        "on site": (lambda: hub.on_site("taipei"), "visits_on_site_now"),
        "checked out elsewhere": (
            lambda: hub.checkouts_elsewhere(identity, 0),
            "visits_out_elsewhere",
        ),
    }[listed]
    plan = _plan(hub, *_statement_of(hub, call))
    assert index in plan, plan
    assert "SCAN visits" not in plan and "Seq Scan" not in plan, plan


def test_a_hub_of_an_earlier_release_gets_them_and_loses_the_index_of_every_visit(
    hub_on_db: HubService,
) -> None:
    """Migration 6 on a hub that still has ``visits_on_site`` (site, checked_out_at)."""
    engine = hub_on_db._engine
    with engine.begin() as db:
        for index in NEW_INDEXES:
            db.exec_driver_sql(f"DROP INDEX {index}")
        db.exec_driver_sql("CREATE INDEX visits_on_site ON visits (site, checked_out_at)")
        db.exec_driver_sql("DELETE FROM hub_schema WHERE version = 6")
    assert migrate(engine, "2026-11-30T00:00:00.000000Z") >= 6
    names = {index["name"] for index in sa.inspect(engine).get_indexes("visits")}
    assert names >= NEW_INDEXES and "visits_on_site" not in names, names
