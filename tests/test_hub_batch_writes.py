"""How a kiosk's batch is written (#17): on PostgreSQL each table's new rows go in as one
statement, not row by row through the driver, and whatever a guest typed is stored as sent."""

from __future__ import annotations

from typing import Any

from kiosk.hub.records import bounded, shown_name
from kiosk.hub.service import HubService
from tests.conftest import FakeClock
from tests.hub_server import hub_service
from tests.postgres import fresh_database
from tests.test_hub import checkin, checkout
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


def test_a_batch_is_read_by_one_statement_and_written_by_one_on_postgresql(
    postgres: str, clock: FakeClock
) -> None:
    """Each statement is a round trip to the server, where a batch waits for a CPU beside a
    purge: a batch of check-ins was five (three lookups, one INSERT a table), sent with
    ``executemany`` its 50 visits and 50 receipts went through psycopg's pipeline row by row.
    Now one reads, one writes both tables; check-outs add the counter's and their own."""
    hub = hub_service(fresh_database(postgres, "hub_batch_writes"), clock)
    identity = hub.authenticate(hub.add_kiosk("lobby-1", "demo"))
    assert identity is not None
    answers: list[dict[str, Any]] = []
    arrivals = [checkin(f"v{n}", clock, site="demo") for n in range(50)]
    ran = _statements_of(hub, lambda: answers.extend(hub.ingest(identity, arrivals)), bool)
    # the statement's first words, and whether its rows went in as many parameter sets
    kinds = [(" ".join(sql.split()[:2]), isinstance(rows, list)) for sql, rows in ran]
    assert kinds == [("SELECT 'receipt'", False), ("WITH new_visits", False)], kinds
    assert "INSERT INTO receipts" in ran[1][0]
    mixed = [checkout(f"v{n}", clock) for n in range(25)]
    mixed += [checkin(f"w{n}", clock, site="demo") for n in range(25)]
    ran = _statements_of(hub, lambda: answers.extend(hub.ingest(identity, mixed)), bool)
    kinds = [(" ".join(sql.split()[:3]), isinstance(rows, list)) for sql, rows in ran]
    with hub._engine.connect() as db:
        stored = db.exec_driver_sql("SELECT count(*) FROM visits").scalar_one()
        receipts = db.exec_driver_sql("SELECT count(*) FROM receipts").scalar_one()
        out = db.exec_driver_sql(
            "SELECT visit_id, checked_out_seq FROM visits WHERE checked_out_at IS NOT NULL"
        ).all()
    hub.close()
    assert [answer["status"] for answer in answers] == ["stored"] * 100
    assert (stored, receipts) == (75, 100)
    assert kinds == [
        ("SELECT 'receipt' AS", False),
        ("WITH new_visits AS", False),
        ("UPDATE counter SET", False),
        ("UPDATE visits SET", True),  # psycopg's pipeline: one round trip for all of them
    ], kinds
    assert sorted(seq for _visit, seq in out) == list(range(1, 26))  # each its own change number


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
