"""How a kiosk's batch is written (#17): on PostgreSQL each table's new rows go in as one
statement, not row by row through the driver, and whatever a guest typed is stored as sent."""

from __future__ import annotations

from typing import Any

from kiosk.hub.records import bounded, shown_name
from kiosk.hub.service import HubService
from tests.conftest import FakeClock
from tests.hub_server import hub_service
from tests.postgres import fresh_database
from tests.test_hub import checkin
from tests.test_hub_indexes import _statements_of

HOSTILE = [
    'O\'Brien "Bob" back\\slash',
    '{"name": "x", "email": null}',  # JSON inside JSON
    "null",
    "\\u0000 and \\\\u0041, typed literally",
    "陳雅婷 👩🏽‍💻 Ｗｉｄｅ",
    "مرحبا بكم",
    "e\u0301 combining",
    "%s %(rows)s :rows ?",
    "'); DROP TABLE visits; --",
]


def test_a_batch_is_written_in_one_statement_a_table_on_postgresql(
    postgres: str, clock: FakeClock
) -> None:
    """Sent with ``executemany``, the 50 visits and 50 receipts of a batch each went through
    psycopg's pipeline row by row: a third of the hub's Python time per batch."""
    hub = hub_service(fresh_database(postgres, "hub_batch_writes"), clock)
    identity = hub.authenticate(hub.add_kiosk("lobby-1", "demo"))
    assert identity is not None
    answers: list[dict[str, Any]] = []
    batch = [checkin(f"v{n}", clock, site="demo") for n in range(50)]
    written = _statements_of(
        hub,
        lambda: answers.extend(hub.ingest(identity, batch)),
        lambda sql: sql.lstrip().startswith("INSERT"),
    )
    # a table's name, and whether its rows went in as many parameter sets (``executemany``)
    inserts = [(sql.split("(")[0].split()[-1], isinstance(rows, list)) for sql, rows in written]
    with hub._engine.connect() as db:
        stored = db.exec_driver_sql("SELECT count(*) FROM visits").scalar_one()
        receipts = db.exec_driver_sql("SELECT count(*) FROM receipts").scalar_one()
    hub.close()
    assert [answer["status"] for answer in answers] == ["stored"] * 50
    assert (stored, receipts) == (50, 50)
    assert inserts == [("visits", False), ("receipts", False)], inserts


def test_what_a_guest_typed_is_stored_as_sent(hub_on_db: HubService, clock: FakeClock) -> None:
    """Quotes, backslashes, text that looks like JSON, SQL or a placeholder, and every script:
    written as one JSON document on PostgreSQL, row by row on SQLite, read back the same."""
    hub = hub_on_db
    identity = hub.authenticate(hub.add_kiosk("lobby-a", "taipei"))
    assert identity is not None
    batch = [
        checkin(f"v{n}", clock, name=text, email=f"{n}@example.com", purpose=text[:20])
        for n, text in enumerate(HOSTILE)
    ]
    answers = hub.ingest(identity, batch)
    assert [answer["status"] for answer in answers] == ["stored"] * len(HOSTILE), answers
    with hub._engine.connect() as db:
        rows = db.exec_driver_sql(
            "SELECT visit_id, name, purpose, checked_out_at FROM visits ORDER BY visit_id"
        ).all()
    expected = sorted(
        (e["record"]["visit_id"], shown_name(e["record"]["name"]), bounded(e["record"], "purpose"))
        for e in batch
    )
    assert [(row[0], row[1], row[2]) for row in rows] == expected
    assert all(name for _id, name, _purpose in expected)  # none was cleaned away to nothing
    assert {row[3] for row in rows} == {None}  # a column no object names stays NULL
