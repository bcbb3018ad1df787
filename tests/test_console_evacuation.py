"""The console's evacuation roll call over real HTTP: a snapshot of the site's people, ticks from
two signed-in phones at once, a close with its summary, a CSV, an audit entry for every step, and
nothing of another site."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import Config
from kiosk.hub.accounts import Accounts
from kiosk.hub.rollcalls import RollCalls
from kiosk.hub.service import HubService
from tests.conftest import FakeClock
from tests.console_users import csrf_of
from tests.hub_server import hub_rows, hub_service, serve_hub
from tests.pdf_boxes import tick_boxes
from tests.test_console import PASSWORD, _kiosk_visit, _sign_in


@pytest.fixture
def lobby(tmp_path: Path, clock: FakeClock, config: Config) -> Iterator[tuple[HubService, str]]:
    service = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    with serve_hub(service) as url:
        _kiosk_visit(service, url, config, "Harbour", "harbour-1", "Ada Lovelace", clock)
        _kiosk_visit(service, url, config, "Harbour", "harbour-2", "=cmd|' /C calc'!A0", clock)
        _kiosk_visit(service, url, config, "Quay", "quay-1", "Quentin Quay", clock)
        accounts = Accounts(service.engine, clock)
        accounts.add("desk", "Harbour", "frontdesk", PASSWORD)
        accounts.add("guard", "Harbour", "frontdesk", "another-long-secret")
        accounts.add("host.lin", "Harbour", "host", "yet-another-secret", host_id="h-lin")
        yield service, url
    service.close()


def test_two_phones_tick_one_roll_call_then_close_it_with_a_summary_and_a_csv(
    lobby: tuple[HubService, str], clock: FakeClock
) -> None:
    service, url = lobby
    desk, _ = _sign_in(url, "desk")
    guard, _ = _sign_in(url, "guard", "another-long-secret")
    first = desk.get(f"{url}/console/evacuation?lang=en")
    assert "Start the roll call" in first.text
    desk.post(f"{url}/console/evacuation/start", data={"csrf": csrf_of(first.text)})
    page = guard.get(f"{url}/console/evacuation?lang=en")  # the other phone sees the same list
    assert "Ada Lovelace" in page.text and "Quentin Quay" not in page.text
    assert "2 on site · 0 accounted for · 2 missing" in page.text
    roll_call = RollCalls(service, clock).open_one("Harbour")
    assert roll_call is not None
    ada = next(p.visit_id for p in roll_call.people if p.name == "Ada Lovelace")
    other = next(p.visit_id for p in roll_call.people if p.visit_id != ada)
    for browser, visit in ((desk, ada), (guard, other)):
        tick = browser.post(
            f"{url}/console/evacuation/tick",
            data={
                "csrf": csrf_of(browser.get(f"{url}/console/evacuation").text),
                "roll_call": roll_call.roll_call_id,
                "visit": visit,
                "accounted": "1",
            },
            headers={"Accept": "application/json"},
        )
        assert tick.json() == {"ok": True}
    state = desk.get(f"{url}/console/evacuation/{roll_call.roll_call_id}/state?lang=en").json()
    assert state["summary"] == "2 on site · 2 accounted for · 0 missing"
    assert state["ticks"][ada].endswith("by desk") and state["ticks"][other].endswith("by guard")
    # Each tick reads as one line of its language, as the page shows it and the script renews it.
    assert re.fullmatch(r"Accounted for: \d\d:\d\d by desk", state["ticks"][ada])
    chinese = desk.get(f"{url}/console/evacuation/{roll_call.roll_call_id}/state?lang=zh-TW")
    assert re.fullmatch(r"已確認：\d\d:\d\d，desk", chinese.json()["ticks"][ada])
    page = desk.get(f"{url}/console/evacuation?lang=zh-TW").text
    assert f"✓ {chinese.json()['ticks'][ada]}</span>" in page

    pdf = guard.get(f"{url}/console/evacuation/{roll_call.roll_call_id}.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert tick_boxes(pdf.content) == [[True, True]]
    csv_text = guard.get(f"{url}/console/evacuation/{roll_call.roll_call_id}.csv").text
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert {r["accounted_by"] for r in rows} == {"desk", "guard"}
    assert any(r["name"].startswith("'=") for r in rows)  # a formula stays text

    closing = guard.post(
        f"{url}/console/evacuation/close",
        data={
            "csrf": csrf_of(guard.get(f"{url}/console/evacuation").text),
            "roll_call": roll_call.roll_call_id,
        },
    )
    assert "Roll call closed" in closing.text or "點名已結束" in closing.text
    assert RollCalls(service, clock).open_one("Harbour") is None
    actions = [(a["login"], a["action"]) for a in RollCalls(service, clock).audit_trail("Harbour")]
    assert actions == [
        ("desk", "roll call started"),
        ("desk", "accounted for"),
        ("guard", "accounted for"),
        ("guard", "roll call closed"),
    ]


def test_hosts_and_other_sites_cannot_see_or_tick_a_roll_call(
    lobby: tuple[HubService, str], clock: FakeClock
) -> None:
    service, url = lobby
    roll_call = RollCalls(service, clock).start("Harbour", "desk")
    host, _ = _sign_in(url, "host.lin", "yet-another-secret")
    assert host.get(f"{url}/console/evacuation", allow_redirects=False).status_code == 303
    assert host.get(f"{url}/console/evacuation/{roll_call.roll_call_id}.csv").status_code == 403
    Accounts(service.engine, clock).add("quay.desk", "Quay", "frontdesk", "salt-wind-front-door")
    quay, _ = _sign_in(url, "quay.desk", "salt-wind-front-door")
    page = quay.get(f"{url}/console/evacuation")
    assert "Ada Lovelace" not in page.text
    tick = quay.post(
        f"{url}/console/evacuation/tick",
        data={
            "csrf": csrf_of(page.text),
            "roll_call": roll_call.roll_call_id,
            "visit": roll_call.people[0].visit_id,
            "accounted": "1",
        },
    )
    assert tick.status_code in (200, 303)
    assert RollCalls(service, clock).get("Harbour", roll_call.roll_call_id).accounted == 0  # type: ignore[union-attr]
    assert quay.get(f"{url}/console/evacuation/{roll_call.roll_call_id}.csv").status_code == 403


def test_a_roll_call_and_the_names_in_it_go_a_day_after_it_started(
    lobby: tuple[HubService, str], clock: FakeClock
) -> None:
    """A roll call copies the name and host of everyone on site: needed on the day, as the
    kiosk's printed sheet (kept one day in its spool), then deleted by the hub's purge, closed
    or left open. The hub kept them for good. The audit trail keeps that it happened, by id."""
    service, _url = lobby
    roll_calls = RollCalls(service, clock)
    drill = roll_calls.start("Harbour", "desk")
    roll_calls.tick("Harbour", drill.roll_call_id, drill.people[0].visit_id, "desk", True)
    roll_calls.close("Harbour", drill.roll_call_id, "desk")
    clock.advance(hours=23)
    service.purge()
    assert roll_calls.get("Harbour", drill.roll_call_id) is not None  # still the same day
    left_open = roll_calls.start("Harbour", "guard")  # and nobody closes this one
    clock.advance(hours=2)
    assert service.purge()["roll_calls"] == 1
    assert roll_calls.get("Harbour", drill.roll_call_id) is None
    assert roll_calls.get("Harbour", left_open.roll_call_id) is not None
    people = hub_rows(service, "SELECT roll_call_id, name FROM roll_call_people")
    assert {row["roll_call_id"] for row in people} == {left_open.roll_call_id}
    clock.advance(hours=23)
    assert service.purge()["roll_calls"] == 1
    assert roll_calls.open_one("Harbour") is None  # the next evacuation starts afresh
    assert hub_rows(service, "SELECT * FROM roll_call_people") == []
    assert hub_rows(service, "SELECT * FROM roll_calls") == []
    trail = [(a["action"], a["record"]) for a in roll_calls.audit_trail("Harbour")]
    assert ("roll call closed", drill.roll_call_id) in trail
    assert ("roll call started", left_open.roll_call_id) in trail
