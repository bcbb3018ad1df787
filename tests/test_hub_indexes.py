"""The hub's visit indexes (#17): what a kiosk pulls on every sync (the site's on-site list, its
visits checked out elsewhere) is read through partial indexes holding only what they list, and
a checked-out visit, as every expired one is, is in neither, so retention skips them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from kiosk.hub.schema import MIGRATIONS
from kiosk.hub.service import HubService
from kiosk.timeutil import to_db
from tests.conftest import FakeClock
from tests.hub_server import grow_hub, hub_service
from tests.postgres import fresh_database
from tests.test_hub import checkin

NEW_INDEXES = {"visits_on_site_now", "visits_out_elsewhere"}


def _statements_of(
    hub: HubService, call: Callable[[], object], wanted: Callable[[str], bool]
) -> list[tuple[str, Any]]:
    """The SQL (and its parameters) of each statement the call ran that ``wanted`` picks."""
    seen: list[tuple[str, Any]] = []

    def statement(_c: object, _cur: object, sql: str, parameters: Any, *_rest: object) -> None:
        if wanted(sql):
            seen.append((sql, parameters))

    sa.event.listen(hub._engine, "before_cursor_execute", statement)
    try:
        call()
    finally:
        sa.event.remove(hub._engine, "before_cursor_execute", statement)
    return seen


def _statement_of(hub: HubService, call: Callable[[], object]) -> tuple[str, Any]:
    """The SQL (and its parameters) the call ran against the visits table."""
    (ran,) = _statements_of(hub, call, lambda sql: "FROM visits" in sql)
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
        MIGRATIONS[5](db)  # migration 6, as ``migrate`` runs it on such a hub
    names = {index["name"] for index in sa.inspect(engine).get_indexes("visits")}
    assert names >= NEW_INDEXES and "visits_on_site" not in names, names


def _rows_read(plan: dict[str, Any]) -> int:
    """Rows a plan read from tables: those it returned and those it read only to drop them."""
    read = 0
    if "Relation Name" in plan:
        read += plan["Actual Rows"] * plan["Actual Loops"]
        read += plan.get("Rows Removed by Filter", 0) + plan.get("Rows Removed by Index Recheck", 0)
    return read + sum(_rows_read(below) for below in plan.get("Plans", []))


def test_a_batchs_lookups_read_only_what_they_name_on_a_hub_just_filled(
    postgres: str, clock: FakeClock
) -> None:
    """A hub grown since autovacuum last looked (a new one filling up, kiosks catching up after
    an outage) plans with stale statistics: it took a batch's ``IN (50 ids)`` for a read of all
    the site's visits, each filtered out (23 ms a batch at 20,000). Whatever the statistics
    say, a batch's lookup of receipts, tombstones and visits (one statement) reads only the
    rows it names."""
    hub = hub_service(fresh_database(postgres, "hub_stale_lookups"), clock)
    with hub._engine.begin() as db:
        for table in ("visits", "receipts", "tombstones"):  # no ANALYZE behind the test's back
            db.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    grow_hub(hub, 5_000, to_db(clock()))  # kiosk lobby-1 of site demo
    identity = hub.authenticate(hub.add_kiosk("lobby-1", "demo"))
    assert identity is not None
    batch = [checkin(f"v-new-{n}", clock, site="demo") for n in range(50)]
    answers: list[dict[str, Any]] = []
    lookups = _statements_of(
        hub,
        lambda: answers.extend(hub.ingest(identity, batch)),
        lambda sql: sql.lstrip().startswith("SELECT"),
    )
    read = []
    with hub._engine.connect() as db:
        cursor: Any = db.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for sql, parameters in lookups:  # run again now: each finds the batch's 50 rows
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", parameters)
            read.append(_rows_read(cursor.fetchone()[0][0]["Plan"]))
    hub.close()
    assert [answer["status"] for answer in answers] == ["stored"] * 50, answers[0]
    # 50 receipts, 0 tombstones, 50 visits; 10,100 by the plans of stale statistics (every row
    # of the kiosk and of the site)
    assert read == [100], read
