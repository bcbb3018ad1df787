"""One site can never touch another, and one bad record never fails a batch.

The attacker holds a valid kiosk key of site B and knows site A's visit ids (every badge QR shows
one). Each test runs on SQLite and on a real PostgreSQL, through real HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests

from kiosk.hub.service import HubService
from kiosk.timeutil import to_db
from tests.conftest import FakeClock
from tests.hub_server import hub_rows
from tests.test_hub import Kiosk, checkin, checkout


@pytest.fixture
def site_a(hub: str, hub_on_db: HubService) -> Kiosk:
    return Kiosk(hub, hub_on_db.add_kiosk("lobby-a", "taipei"))


@pytest.fixture
def site_a_too(hub: str, hub_on_db: HubService) -> Kiosk:
    return Kiosk(hub, hub_on_db.add_kiosk("lobby-a2", "taipei"))


@pytest.fixture
def attacker(hub: str, hub_on_db: HubService) -> Kiosk:
    return Kiosk(hub, hub_on_db.add_kiosk("lobby-evil", "kaohsiung"))


def _b_checkin(visit_id: str, clock: FakeClock, **fields: Any) -> dict[str, Any]:
    return checkin(visit_id, clock, site="kaohsiung", kiosk_id="lobby-a", **fields)


def _statuses(results: list[dict[str, Any]]) -> list[str]:
    return [result["status"] for result in results]


def test_another_site_cannot_erase_or_tombstone_a_visit(
    hub_on_db: HubService, site_a: Kiosk, attacker: Kiosk, clock: FakeClock
) -> None:
    assert _statuses(site_a.send(checkin("v-sent", clock))) == ["stored"]
    answer = attacker.post("/v1/erase", {"receipt": "evil-0001", "visit_ids": ["v-sent", "v-late"]})
    assert answer.status_code == 200 and answer.json()["erased"] == 0
    # A's visit is still there, its later check-out is stored, a check-in A sends late is kept.
    assert _statuses(site_a.send(checkout("v-sent", clock))) == ["stored"]
    assert _statuses(site_a.send(checkin("v-late", clock))) == ["stored"]
    held = {(r["site"], r["visit_id"]) for r in hub_rows(hub_on_db, "SELECT * FROM visits")}
    assert held == {("taipei", "v-sent"), ("taipei", "v-late")}
    stones = hub_rows(hub_on_db, "SELECT * FROM tombstones")
    assert {r["site"] for r in stones} == {"kaohsiung"}


def test_another_site_cannot_pre_empt_shadow_or_check_out_a_visit(
    hub_on_db: HubService, site_a: Kiosk, attacker: Kiosk, clock: FakeClock
) -> None:
    # B posts A's not-yet-synced visit id first, naming lobby-a in the body, and checks it out.
    assert _statuses(attacker.send(_b_checkin("v-1", clock))) == ["stored"]
    assert _statuses(attacker.send(checkout("v-1", clock))) == ["stored"]
    # A's own events are untouched by that: stored, not a conflict, not checked out.
    assert _statuses(site_a.send(checkin("v-1", clock))) == ["stored"]
    assert site_a.get("/v1/checkouts?since=0")["checkouts"] == []
    assert [v["visit_id"] for v in site_a.get("/v1/onsite")["visits"]] == ["v-1"]
    # The body's kiosk id is ignored: the key decided who sent it.
    owners = {(r["site"], r["kiosk_id"]) for r in hub_rows(hub_on_db, "SELECT * FROM visits")}
    assert owners == {("kaohsiung", "lobby-evil"), ("taipei", "lobby-a")}
    # And B's check-out of A's visit id reaches nobody at A.
    assert _statuses(attacker.send(checkout("v-1", clock))) == ["stored"]
    assert site_a.get("/v1/checkouts?since=0")["checkouts"] == []


def test_the_check_out_feed_holds_only_the_callers_site(
    site_a: Kiosk, site_a_too: Kiosk, attacker: Kiosk, clock: FakeClock
) -> None:
    site_a.send(checkin("v-2", clock))
    site_a_too.send(checkout("v-2", clock))  # a front desk of the same site checks A's guest out
    assert [c["visit_id"] for c in site_a.get("/v1/checkouts?since=0")["checkouts"]] == ["v-2"]
    assert attacker.get("/v1/checkouts?since=0")["checkouts"] == []
    assert attacker.get("/v1/onsite")["visits"] == []


def test_a_deny_id_another_site_uses_is_neither_refused_nor_disclosed(
    site_a: Kiosk, attacker: Kiosk, clock: FakeClock
) -> None:
    entry = {
        "deny_id": "d-shared",
        "key_id": "k1",
        "name_hash": "a" * 64,
        "reason": "site A's reason",
        "created_at": to_db(clock()),
        "created_by": "desk",
    }
    assert site_a.post("/v1/deny", {"entries": [entry]}).status_code == 204
    theirs = {**entry, "reason": "overwritten by B"}
    assert attacker.post("/v1/deny", {"entries": [theirs]}).status_code == 204
    assert attacker.post("/v1/deny", {"removed": ["d-shared"]}).status_code == 204
    (kept,) = site_a.get("/v1/deny")["entries"]
    assert kept["reason"] == "site A's reason"
    assert attacker.get("/v1/deny")["entries"] == []


def test_a_replay_under_another_sites_key_is_a_new_record_there(
    hub_on_db: HubService, site_a: Kiosk, attacker: Kiosk, clock: FakeClock
) -> None:
    event = checkin("v-3", clock)
    assert _statuses(site_a.send(event)) == ["stored"]
    replay = attacker.send(event)  # names site A in the body
    assert replay[0]["status"] == "rejected" and "another site" in replay[0]["reason"]
    assert _statuses(site_a.send(event)) == ["stored"]  # A's own replay: its first answer
    assert len(hub_rows(hub_on_db, "SELECT * FROM visits")) == 1


def test_an_erase_receipt_of_another_kiosk_is_not_replayed_to_the_caller(
    site_a: Kiosk, attacker: Kiosk, clock: FakeClock
) -> None:
    site_a.send(checkin("v-4", clock))
    assert site_a.post("/v1/erase", {"receipt": "receipt-a1", "visit_ids": ["v-4"]}).json() == {
        "receipt": "receipt-a1",
        "erased": 1,
        "replayed": False,
    }
    stolen = attacker.post("/v1/erase", {"receipt": "receipt-a1", "visit_ids": []})
    assert stolen.status_code == 409
    assert "erased" not in stolen.text


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"checked_in_at": "9999-12-31T23:59:59.999999Z"}, "future"),
        ({"name": "Amy \ud800 Chen"}, "Unicode"),
        ({"name": "Amy\x00Chen"}, "NUL"),
        ({"host_id": "h" * 65}, "longer than 64"),
        ({"name": "A" * 401}, "longer than 400"),
        ({"purpose": "\x00"}, "NUL"),
        ({"checked_in_at": 12}, "text"),
        ({"purge_after": "soon"}, "UTC time"),
    ],
)
def test_one_bad_record_is_rejected_and_the_rest_stored(
    hub_on_db: HubService,
    site_a: Kiosk,
    clock: FakeClock,
    fields: dict[str, Any],
    reason: str,
) -> None:
    results = site_a.send(checkin("v-ok-1", clock), checkin("v-bad", clock, **fields))
    results += site_a.send(checkin("v-ok-2", clock))
    assert _statuses(results) == ["stored", "rejected", "stored"]
    assert reason in results[1]["reason"]
    held = sorted(r["visit_id"] for r in hub_rows(hub_on_db, "SELECT visit_id FROM visits"))
    assert held == ["v-ok-1", "v-ok-2"]


def test_a_hostile_key_or_visit_id_is_answered_not_crashed_on(
    site_a: Kiosk, clock: FakeClock
) -> None:
    bad_key = {**checkin("v-5", clock), "idempotency_key": "k\x00ey"}
    bad_id = {**checkin("v\ud800", clock), "idempotency_key": "bad-id:checkin"}
    results = site_a.send(bad_key, bad_id, checkin("v-6", clock))
    assert _statuses(results) == ["rejected", "rejected", "stored"]
    # A key that is not text at all fails the request's own schema: a 422 that says where,
    # without echoing the unprintable input (that echo was a 500).
    unparsable = site_a.post("/v1/events", {"events": [checkin("v\ud800", clock)]})
    assert unparsable.status_code == 422
    assert "idempotency_key" in unparsable.text
    hostile = site_a.post("/v1/erase", {"receipt": "r\x00" * 5, "visit_ids": ["v\x00"]})
    assert hostile.status_code == 422
    # Found by schemathesis on PostgreSQL: a NUL in a removed deny id was a 500.
    for removed in ("d\x00", "d\ud800", "d" * 65):
        assert site_a.post("/v1/deny", {"removed": [removed]}).status_code == 422


def test_a_name_is_kept_as_a_kiosk_would_keep_it(
    hub_on_db: HubService, site_a: Kiosk, clock: FakeClock
) -> None:
    """A kiosk cleans a guest's name before it stores it; a forged record (or one of another
    release) reached the console and the printed roll call as sent: a right-to-left override
    showed "Ada" + "exe.live" as "Adaevil.exe", a line break split a name over two lines."""
    sent = {
        "v-rtl": "Ada\u202eexe.live",
        "v-break": "Ann\nLee\u2029Chen",
        "v-spaces": "  Bo \t  Wu ",
        "v-combining": "Zalgo" + "\u0301" * 50,
        "v-plain": "陳雅婷 Amy Chen",
    }
    events = [checkin(visit_id, clock, name=name) for visit_id, name in sent.items()]
    invisible = checkin("v-invisible", clock, name="\u200b\u202e")
    results = site_a.send(*events, invisible)
    assert _statuses(results) == ["stored"] * len(sent) + ["rejected"]
    assert "nothing visible" in results[-1]["reason"]
    held = {r["visit_id"]: r["name"] for r in hub_rows(hub_on_db, "SELECT * FROM visits")}
    assert held == {
        "v-rtl": "Adaexe.live",
        "v-break": "Ann Lee Chen",
        "v-spaces": "Bo Wu",
        "v-combining": "Zalgó" + "\u0301" * 3,
        "v-plain": "陳雅婷 Amy Chen",
    }
    # A replay of the same record is answered as before (the receipt hashes what was sent).
    assert _statuses(site_a.send(events[0])) == ["stored"]


def test_another_sites_early_deadline_purges_only_its_own_visit(
    hub_on_db: HubService, site_a: Kiosk, attacker: Kiosk, clock: FakeClock
) -> None:
    """The purge picked expired visit ids, then deleted every row with those ids: a visit of
    site B claiming site A's id with a deadline an hour away took A's visit (and its receipt)
    with it at the next purge, off the on-site and evacuation lists of A."""
    assert _statuses(site_a.send(checkin("v-shared", clock))) == ["stored"]
    soon = to_db(clock() + timedelta(hours=1))
    assert _statuses(attacker.send(_b_checkin("v-shared", clock, purge_after=soon))) == ["stored"]
    counts = hub_on_db.purge(clock() + timedelta(days=1))
    assert counts["visits"] == 1
    held = {(r["site"], r["visit_id"]) for r in hub_rows(hub_on_db, "SELECT * FROM visits")}
    assert held == {("taipei", "v-shared")}
    receipts = hub_rows(hub_on_db, "SELECT kiosk_id FROM receipts")
    assert [r["kiosk_id"] for r in receipts] == ["lobby-a"]


def test_a_huge_cursor_is_a_400_class_answer(site_a: Kiosk) -> None:
    answer = site_a.session.get(site_a.url + "/v1/checkouts?since=9223372036854775808", timeout=5)
    assert answer.status_code == 422


def test_the_retention_cap_counts_from_receipt(
    hub_on_db: HubService, site_a: Kiosk, clock: FakeClock
) -> None:
    claim = clock() + timedelta(days=300)  # a kiosk clock gone wrong, or a liar
    site_a.send(checkin("v-7", clock, checked_in_at=to_db(claim), purge_after=to_db(claim)))
    counts = hub_on_db.purge(clock() + timedelta(days=31))
    assert counts["visits"] == 1
    assert hub_rows(hub_on_db, "SELECT * FROM visits") == []


def test_no_key_no_body_read_and_bodies_are_capped(hub: str, site_a: Kiosk) -> None:
    huge = b'{"events": [' + b" " * (3 * 1024 * 1024) + b"]}"
    anonymous = requests.post(
        f"{hub}/v1/events", data=huge, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert anonymous.status_code == 401
    too_big = site_a.session.post(
        f"{hub}/v1/events", data=huge, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert too_big.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b'{"events": ['
        for _ in range(48):
            yield b" " * 65536
        yield b"]}"

    streamed = site_a.session.post(
        f"{hub}/v1/events", data=chunks(), headers={"Content-Type": "application/json"}, timeout=30
    )
    assert streamed.status_code == 413


def test_a_version_1_hub_database_keeps_its_data_when_ids_become_per_site(tmp_path: Any) -> None:
    """Migration 2 rebuilds three tables around (site, id); what they held survives, and a
    tombstone (which never said whose visit it buried) is kept for every site."""
    import sqlalchemy as sa

    from kiosk.hub.database import open_engine
    from kiosk.hub.schema import current_version, migrate

    engine = open_engine(f"sqlite:///{tmp_path / 'v1.db'}")
    with engine.begin() as db:
        for ddl in (
            "CREATE TABLE hub_schema (version INTEGER PRIMARY KEY, applied_at VARCHAR(27))",
            "INSERT INTO hub_schema VALUES (1, '2026-11-01T00:00:00.000000Z')",
            "CREATE TABLE kiosks (kiosk_id VARCHAR(64) PRIMARY KEY, site VARCHAR(64), "
            "key_hash VARCHAR(64), created_at VARCHAR(27), revoked_at VARCHAR(27))",
            "INSERT INTO kiosks VALUES ('a', 'taipei', 'h1', 'x', NULL), "
            "('b', 'kaohsiung', 'h2', 'x', NULL)",
            "CREATE TABLE visits (visit_id VARCHAR(64) PRIMARY KEY, site VARCHAR(64), "
            "kiosk_id VARCHAR(64), host_id VARCHAR(64), purpose VARCHAR(64), "
            "checked_in_at VARCHAR(27), checked_out_at VARCHAR(27), checked_out_by VARCHAR(64), "
            "checked_out_seq BIGINT, notice_version VARCHAR(64), purge_after VARCHAR(27), "
            "name TEXT, email TEXT)",
            "CREATE INDEX visits_on_site ON visits (site, checked_out_at)",
            "CREATE INDEX visits_purge ON visits (purge_after)",
            "INSERT INTO visits (visit_id, site, kiosk_id, checked_in_at, purge_after) "
            "VALUES ('v1', 'taipei', 'a', 't', 'p')",
            "CREATE TABLE tombstones (visit_id VARCHAR(64) PRIMARY KEY, until VARCHAR(27))",
            "INSERT INTO tombstones VALUES ('gone', 'u')",
            "CREATE TABLE deny (deny_id VARCHAR(32) PRIMARY KEY, site VARCHAR(64), "
            "key_id VARCHAR(16), name_hash VARCHAR(64), name_tokens_hash VARCHAR(64), "
            "email_hash VARCHAR(64), email_local_hash VARCHAR(64), reason TEXT, "
            "created_at VARCHAR(27), expires_at VARCHAR(27), created_by VARCHAR(64), "
            "removed_at VARCHAR(27))",
            "INSERT INTO deny (deny_id, site, key_id, reason, created_at, created_by) "
            "VALUES ('d1', 'taipei', 'k', 'r', 'c', 'desk')",
        ):
            db.exec_driver_sql(ddl)
    assert migrate(engine, "2026-11-29T00:00:00.000000Z") == current_version(engine) >= 2
    with engine.connect() as db:
        assert db.execute(sa.text("SELECT site, visit_id FROM visits")).all() == [("taipei", "v1")]
        stones = set(db.execute(sa.text("SELECT site, visit_id FROM tombstones")).all())
        assert stones == {("taipei", "gone"), ("kaohsiung", "gone")}
        assert db.execute(sa.text("SELECT site, deny_id FROM deny")).all() == [("taipei", "d1")]
        db.execute(
            sa.text(
                "INSERT INTO visits (site, visit_id, kiosk_id, checked_in_at, purge_after) "
                "VALUES ('kaohsiung', 'v1', 'b', 't', 'p')"
            )
        )
    engine.dispose()


def test_the_openapi_document_names_the_refusals(hub: str) -> None:
    spec = requests.get(f"{hub}/v1/openapi.json", timeout=5).json()
    for path, methods in spec["paths"].items():
        if path == "/v1/health":
            continue
        for method, operation in methods.items():
            codes = set(operation["responses"])
            if path == "/v1/enroll":  # asked without a key: a code, used once, is the answer
                assert {"400", "403", "413", "422"} <= codes, (method, path, codes)
                continue
            assert {"400", "401", "413", "422"} <= codes, (method, path, codes)
