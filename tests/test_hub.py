"""The reference hub through real HTTP on 127.0.0.1, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from kiosk.hub.service import HubService
from kiosk.timeutil import to_db
from tests.conftest import FakeClock
from tests.hub_server import hub_rows, hub_service, serve_hub


class Kiosk:
    """A kiosk's side of the conversation, by hand, to see exactly what the hub answers."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def post(self, path: str, body: dict[str, Any]) -> requests.Response:
        return self.session.post(self.url + path, json=body, timeout=10)

    def get(self, path: str) -> dict[str, Any]:
        answer = self.session.get(self.url + path, timeout=10)
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def send(self, *events: dict[str, Any]) -> list[dict[str, Any]]:
        answer = self.post("/v1/events", {"events": list(events)})
        assert answer.status_code == 200, answer.text
        results: list[dict[str, Any]] = answer.json()["results"]
        return results


def checkin(visit_id: str, clock: FakeClock, **fields: Any) -> dict[str, Any]:
    record = {
        "visit_id": visit_id,
        "site": "taipei",
        "kiosk_id": "lobby-a",
        "host_id": "h-chen",
        "purpose": "meeting",
        "checked_in_at": to_db(clock()),
        "notice_version": "2026-11-v1",
        "purge_after": to_db(clock() + timedelta(days=30)),
        **fields,
    }
    return {"event": "checkin", "idempotency_key": f"{visit_id}:checkin", "record": record}


def checkout(visit_id: str, clock: FakeClock) -> dict[str, Any]:
    record = {"visit_id": visit_id, "checked_out_at": to_db(clock())}
    return {"event": "checkout", "idempotency_key": f"{visit_id}:checkout", "record": record}


@pytest.fixture
def lobby_a(hub: str, hub_on_db: HubService) -> Kiosk:
    return Kiosk(hub, hub_on_db.add_kiosk("lobby-a", "taipei"))


@pytest.fixture
def lobby_b(hub: str, hub_on_db: HubService) -> Kiosk:
    return Kiosk(hub, hub_on_db.add_kiosk("lobby-b", "taipei"))


def rows(hub_on_db: HubService, table: str) -> list[dict[str, Any]]:
    return hub_rows(hub_on_db, f"SELECT * FROM {table}")


def test_health_and_openapi_need_no_key(hub: str) -> None:
    assert requests.get(f"{hub}/v1/health", timeout=5).json()["status"] == "ok"
    spec = requests.get(f"{hub}/v1/openapi.json", timeout=5).json()
    for path in ("/v1/events", "/v1/onsite", "/v1/hosts", "/v1/deny", "/v1/erase", "/v1/checkouts"):
        assert path in spec["paths"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_every_other_route_needs_a_known_unrevoked_key(
    hub: str, hub_on_db: HubService, lobby_a: Kiosk, clock: FakeClock
) -> None:
    assert requests.get(f"{hub}/v1/onsite", timeout=5).status_code == 401
    assert Kiosk(hub, "lkh_guessed").post("/v1/events", {"events": []}).status_code == 401
    assert lobby_a.send(checkin("v1", clock))[0]["status"] == "stored"
    hub_on_db.revoke_kiosk("lobby-a")
    assert lobby_a.post("/v1/events", {"events": [checkin("v2", clock)]}).status_code == 401


def test_keys_are_stored_hashed(hub_on_db: HubService) -> None:
    token = hub_on_db.add_kiosk("lobby-a", "taipei")
    stored = rows(hub_on_db, "kiosks")[0]
    assert token not in str(stored)
    assert len(stored["key_hash"]) == 64


def test_a_batch_is_one_transaction_without_a_savepoint(
    hub_on_db: HubService, clock: FakeClock
) -> None:
    """A batch beside a purge waits for the CPU and the WAL at every round trip: it was wrapped
    in a savepoint that nothing needed (a clash redoes it in a transaction of its own anyway),
    two round trips of ~9; PostgreSQL, alone, 1.51 -> 1.40 ms a one-visit batch."""
    kiosk = hub_on_db.authenticate(hub_on_db.add_kiosk("lobby-c", "taipei"))
    assert kiosk is not None
    began, savepoints = [], []
    sa.event.listen(hub_on_db._engine, "begin", lambda _connection: began.append(1))
    sa.event.listen(hub_on_db._engine, "savepoint", lambda _c, name: savepoints.append(name))
    answers = hub_on_db.ingest(kiosk, [checkin("v1", clock), checkin("v2", clock)])
    assert [a["status"] for a in answers] == ["stored", "stored"]
    assert (len(began), savepoints) == (1, [])


def test_a_replay_gets_the_first_answer_and_stores_nothing_new(
    hub_on_db: HubService, lobby_a: Kiosk, clock: FakeClock
) -> None:
    event = checkin("v1", clock)
    first = lobby_a.send(event)
    clock.advance(hours=1)  # the hub's clock moved on; the answer must not
    replay = lobby_a.send(event)
    assert first == [
        {"idempotency_key": "v1:checkin", "status": "stored", "reason": None, "replayed": False}
    ]
    assert replay == [first[0] | {"replayed": True}]
    assert len(rows(hub_on_db, "visits")) == 1
    assert len(rows(hub_on_db, "receipts")) == 1


def test_a_conflicting_body_under_a_used_key_is_rejected(
    hub_on_db: HubService, lobby_a: Kiosk, clock: FakeClock
) -> None:
    lobby_a.send(checkin("v1", clock))
    answer = lobby_a.send(checkin("v1", clock, host_id="h-lin"))[0]
    assert answer["status"] == "rejected"
    assert "different record" in answer["reason"]
    assert rows(hub_on_db, "visits")[0]["host_id"] == "h-chen"


def test_a_bad_record_is_rejected_alone_with_its_reason(
    hub_on_db: HubService, lobby_a: Kiosk, clock: FakeClock
) -> None:
    results = lobby_a.send(
        checkin("v1", clock),
        checkin("v2", clock, phone="0912"),
        checkin("v3", clock, site="kaohsiung"),
        checkin("v4", clock, checked_in_at="yesterday"),
        {"event": "teleport", "idempotency_key": "v5:teleport", "record": {"visit_id": "v5"}},
        checkout("v-unknown", clock),
        checkin("v6", clock),
    )
    statuses = [r["status"] for r in results]
    assert statuses == [
        "stored",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "stored",
    ]
    reasons = [r["reason"] for r in results if r["reason"]]
    assert "phone" in reasons[0]
    assert "another site" in reasons[1]
    assert "checked_in_at" in reasons[2]
    assert "teleport" in reasons[3]
    assert "no such visit" in reasons[4]
    assert sorted(r["visit_id"] for r in rows(hub_on_db, "visits")) == ["v1", "v6"]


def test_one_on_site_list_per_site_and_check_out_anywhere(
    hub: str, hub_on_db: HubService, lobby_a: Kiosk, lobby_b: Kiosk, clock: FakeClock
) -> None:
    elsewhere = Kiosk(hub, hub_on_db.add_kiosk("kh-1", "kaohsiung"))
    lobby_a.send(checkin("v1", clock, name="陳大文"))
    lobby_b.send(checkin("v2", clock, kiosk_id="lobby-b"))
    onsite = lobby_b.get("/v1/onsite")
    assert onsite["site"] == "taipei"
    assert [(v["visit_id"], v["kiosk_id"], v["name"]) for v in onsite["visits"]] == [
        ("v1", "lobby-a", "陳大文"),
        ("v2", "lobby-b", None),
    ]
    assert elsewhere.get("/v1/onsite")["visits"] == []

    clock.advance(hours=2)
    assert lobby_b.send(checkout("v1", clock))[0]["status"] == "stored"
    assert [v["visit_id"] for v in lobby_a.get("/v1/onsite")["visits"]] == ["v2"]
    changes = lobby_a.get("/v1/checkouts?since=0")
    assert [(c["visit_id"], c["by"]) for c in changes["checkouts"]] == [("v1", "lobby-b")]
    assert lobby_a.get(f"/v1/checkouts?since={changes['cursor']}")["checkouts"] == []
    assert lobby_b.get("/v1/checkouts?since=0")["checkouts"] == []  # its own check-outs


def test_the_first_check_out_wins(
    hub_on_db: HubService, lobby_a: Kiosk, lobby_b: Kiosk, clock: FakeClock
) -> None:
    lobby_a.send(checkin("v1", clock))
    clock.advance(hours=1)
    first = to_db(clock())
    assert lobby_b.send(checkout("v1", clock))[0]["status"] == "stored"
    clock.advance(minutes=5)
    assert lobby_a.send(checkout("v1", clock))[0]["status"] == "stored"
    assert rows(hub_on_db, "visits")[0]["checked_out_at"] == first


def test_erase_removes_the_visit_and_refuses_a_late_replay(
    hub_on_db: HubService, lobby_a: Kiosk, clock: FakeClock
) -> None:
    lobby_a.send(checkin("v1", clock, name="Erin Canary"), checkin("v2", clock))
    answer = lobby_a.post("/v1/erase", {"receipt": "r-12345678", "visit_ids": ["v1"]}).json()
    assert answer == {"receipt": "r-12345678", "erased": 1, "replayed": False}
    again = lobby_a.post("/v1/erase", {"receipt": "r-12345678", "visit_ids": ["v1"]}).json()
    assert again["replayed"] is True
    assert [r["visit_id"] for r in rows(hub_on_db, "visits")] == ["v2"]
    assert all(r["visit_id"] != "v1" for r in rows(hub_on_db, "receipts"))
    assert lobby_a.send(checkin("v1", clock, name="Erin Canary"))[0]["status"] == "erased"
    assert [r["visit_id"] for r in rows(hub_on_db, "visits")] == ["v2"]


def test_a_kiosk_cannot_erase_another_sites_visits(
    hub: str, hub_on_db: HubService, lobby_a: Kiosk, clock: FakeClock
) -> None:
    elsewhere = Kiosk(hub, hub_on_db.add_kiosk("kh-1", "kaohsiung"))
    lobby_a.send(checkin("v1", clock))
    assert (
        elsewhere.post("/v1/erase", {"receipt": "r-abcdefgh", "visit_ids": ["v1"]}).json()["erased"]
        == 0
    )
    assert len(rows(hub_on_db, "visits")) == 1


def test_the_hub_keeps_nothing_past_purge_after_or_its_maximum(
    hub_on_db: HubService, lobby_a: Kiosk, clock: FakeClock
) -> None:
    lobby_a.send(
        checkin("short", clock, purge_after=to_db(clock() + timedelta(days=1))),
        checkin("greedy", clock, purge_after=to_db(clock() + timedelta(days=3650))),
        checkin("stale", clock, purge_after=to_db(clock() - timedelta(minutes=1))),
    )
    held = {r["visit_id"]: r["purge_after"] for r in rows(hub_on_db, "visits")}
    assert held["greedy"] == to_db(clock() + timedelta(days=30))  # capped at the hub's maximum
    assert "stale" not in held
    assert hub_on_db.purge(clock() + timedelta(days=2))["visits"] == 1
    assert [r["visit_id"] for r in rows(hub_on_db, "visits")] == ["greedy"]
    assert hub_on_db.purge(clock() + timedelta(days=31))["visits"] == 1
    assert rows(hub_on_db, "visits") == []
    assert rows(hub_on_db, "receipts") == []


def test_the_service_purges_on_its_own_timer(hub_on_db: HubService, clock: FakeClock) -> None:
    token = hub_on_db.add_kiosk("lobby-a", "taipei")
    with serve_hub(hub_on_db, purge_interval=0.05) as url:
        kiosk = Kiosk(url, token)
        kiosk.send(checkin("v1", clock, purge_after=to_db(clock() + timedelta(hours=1))))
        clock.advance(hours=2)
        deadline = time.monotonic() + 10
        while rows(hub_on_db, "visits") and time.monotonic() < deadline:
            time.sleep(0.05)
    assert rows(hub_on_db, "visits") == []


def test_host_directory_comes_from_the_hub(
    tmp_path: Path, hub_db: str, hub: str, lobby_a: Kiosk
) -> None:
    csv = tmp_path / "hosts.csv"
    csv.write_text(
        "id,name,department,email\nh-9,吳建國 Kevin Wu,Legal,kevin@example.com\n", "utf-8"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "hub",
            "import-hosts",
            "--db",
            hub_db,
            "--site",
            "taipei",
            str(csv),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    hosts = lobby_a.get("/v1/hosts")["hosts"]
    assert [(h["id"], h["name"], h["department"]) for h in hosts] == [
        ("h-9", "吳建國 Kevin Wu", "Legal")
    ]


def _deny_entry(deny_id: str, clock: FakeClock, **fields: str) -> dict[str, str]:
    """A deny entry as a kiosk shares it (hashes only), valid for a week."""
    return {
        "deny_id": deny_id,
        "key_id": "k" * 16,
        "name_hash": "a" * 64,
        "created_at": to_db(clock()),
        "expires_at": to_db(clock() + timedelta(days=7)),
        **fields,
    }


def test_deny_entries_are_shared_per_site_until_removed_or_expired(
    hub: str, hub_on_db: HubService, lobby_a: Kiosk, lobby_b: Kiosk, clock: FakeClock
) -> None:
    entry = _deny_entry("d1", clock, reason="asked to leave", created_by="s-ann")
    assert lobby_a.post("/v1/deny", {"entries": [entry]}).status_code == 204
    assert [e["deny_id"] for e in lobby_b.get("/v1/deny")["entries"]] == ["d1"]
    elsewhere = Kiosk(hub, hub_on_db.add_kiosk("kh-1", "kaohsiung"))
    assert elsewhere.get("/v1/deny")["entries"] == []
    clock.advance(days=8)
    assert lobby_b.get("/v1/deny")["entries"] == []
    clock.advance(days=-8)
    assert lobby_b.post("/v1/deny", {"removed": ["d1"]}).status_code == 204
    assert lobby_a.get("/v1/deny")["entries"] == []
    assert hub_on_db.purge()["deny"] == 1


def test_a_deny_entrys_words_are_kept_as_a_kiosk_keeps_typed_text(
    lobby_a: Kiosk, lobby_b: Kiosk, clock: FakeClock
) -> None:
    """The reason and who added it reach the front desk of every kiosk of the site."""
    entry = _deny_entry(
        "d2", clock, reason="threat\u202eened\nstaff\u200b", created_by="\u200b\u202e"
    )
    assert lobby_a.post("/v1/deny", {"entries": [entry]}).status_code == 204
    (shared,) = lobby_b.get("/v1/deny")["entries"]
    assert (shared["reason"], shared["created_by"]) == ("threatened staff", "lobby-a")


def test_two_hub_processes_share_one_database_and_store_each_visit_once(
    hub_db: str, clock: FakeClock
) -> None:
    """Stateless: the same batch sent to two hubs at once is stored once."""
    one, two = hub_service(hub_db, clock), hub_service(hub_db, clock)
    token = one.add_kiosk("lobby-a", "taipei")
    batch = [checkin(f"v{n}", clock) for n in range(40)]
    answers: list[list[dict[str, Any]]] = []
    with serve_hub(one) as first, serve_hub(two) as second:
        threads = [
            threading.Thread(target=lambda url=url: answers.append(Kiosk(url, token).send(*batch)))
            for url in (first, second, first, second)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    one.close()
    two.close()
    assert len(answers) == 4
    assert all(r["status"] == "stored" for answer in answers for r in answer)
    check = hub_service(hub_db, clock)
    assert len(rows(check, "visits")) == 40
    assert len(rows(check, "receipts")) == 40
    check.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_kiosk_hub_serve_runs_the_service(hub_db: str, tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "KIOSK_HUB_DB": hub_db}
    server = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "hub", "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).json()
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert health["schema"] >= 1
    finally:
        server.terminate()
        server.communicate(timeout=10)


def test_kiosk_hub_serve_freezes_what_start_up_made(
    hub_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's start-up objects live as long as it does; each full collection walked them
    all (20-70 ms, every request and the purge held up), unless frozen before it serves."""
    import gc

    import uvicorn

    from kiosk.cli import main

    served: list[tuple[int, int]] = []

    def run(app: Any, **_options: object) -> None:
        served.append((gc.get_freeze_count(), len(gc.get_objects())))
        app.state.service.close()  # as the server's end would: its connections go with it

    monkeypatch.setattr(uvicorn, "run", run)
    try:
        assert main(["hub", "serve", "--db", hub_db, "--purge-interval", "0"]) == 0
        [(frozen, in_sight)] = served
        assert frozen > in_sight  # the app, FastAPI, SQLAlchemy: out of the collector's walk
    finally:
        gc.unfreeze()


def test_hub_commands_explain_a_missing_or_bad_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_HUB_DB"}
    for args, expected in (
        (["hub", "purge"], "--db"),
        (["hub", "purge", "--db", "mysql://x"], "sqlite:///"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "kiosk", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode == 2
        assert expected in done.stderr
        assert "Traceback" not in done.stderr
