"""The privacy officer's and the administrator's console pages against a real hub and real
kiosks: a request made in the console reaches the kiosks; kiosks, users, the deny list, hosts
and companies changed in the console reach the kiosks too, each change in the audit trail."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.checkin import SeeFrontDeskError
from kiosk.cli import main
from kiosk.hub.accounts import Accounts
from kiosk.hub.service import HubService
from kiosk.hub.upkeep import purge_everything
from kiosk.wire import Host
from tests.conftest import FakeClock
from tests.console_users import add_enrolled, post_form, signed_in
from tests.hub_server import hub_rows, hub_service, serve_hub
from tests.test_console import PASSWORD, _sign_in
from tests.test_site_wide import OTHER, PERSON, SITE, Lobby, _lobby


@pytest.fixture
def hub(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[HubService, str, Lobby]]:
    service = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    with serve_hub(service) as url:
        one = _lobby(tmp_path, "lobby-1", url, service, clock)
        yield service, url, one
        one.store.close()
    service.close()


def test_the_privacy_page_sends_a_request_to_every_kiosk_and_hands_an_export_over_once(
    hub: tuple[HubService, str, Lobby], clock: FakeClock
) -> None:
    service, url, one = hub
    one.visit(PERSON)
    one.visit(OTHER)
    one.sync(clock)
    officer = signed_in(url, "po", add_enrolled(service, clock, "po", SITE, "privacy"), clock)
    assert officer.get(f"{url}/console/onsite?lang=en").url.endswith("/console/privacy")
    refused = post_form(
        officer, url, "/console/privacy", "/console/privacy/request", email=PERSON[1], kind="erase"
    )
    assert "confirm that you checked" in refused.text  # nothing deleted without the check
    made = post_form(
        officer,
        url,
        "/console/privacy",
        "/console/privacy/request",
        email=PERSON[1].upper(),
        kind="export",
    )
    receipt = re.search(r"Request ([0-9A-F]{12}) made", made.text)
    assert receipt is not None and "lobby-1: waiting for its next sync" in made.text
    one.sync(clock)
    page = officer.get(f"{url}/console/privacy")
    assert "lobby-1: done (1 visit)" in page.text
    got = post_form(
        officer, url, "/console/privacy", "/console/privacy/download", receipt=receipt.group(1)
    )
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert json.loads(got.text)["records"]["lobby-1"][0]["email"] == PERSON[1]
    assert hub_rows(service, "SELECT * FROM rights_exports") == []
    assert "Downloaded; no longer held here." in officer.get(f"{url}/console/privacy").text

    erase = post_form(
        officer,
        url,
        "/console/privacy",
        "/console/privacy/request",
        email=PERSON[1],
        kind="erase",
        confirm="yes",
    )
    assert "made" in erase.text
    one.sync(clock)
    assert [v.name for v in one.store.visits()] == [OTHER[0]]
    assert PERSON[1] not in officer.get(f"{url}/console/privacy").text  # never shown back

    Accounts(service.engine, clock).add("desk", SITE, "frontdesk", PASSWORD)
    desk, _answer = _sign_in(url, "desk")
    assert desk.get(f"{url}/console/privacy", allow_redirects=False).status_code == 303


def test_the_admin_enrols_and_revokes_kiosks_and_sees_how_they_are(
    hub: tuple[HubService, str, Lobby], clock: FakeClock, tmp_path: Path
) -> None:
    service, url, one = hub
    one.sync(clock)
    admin = signed_in(url, "boss", add_enrolled(service, clock, "boss", SITE, "admin"), clock)
    page = admin.get(f"{url}/console/admin/kiosks?lang=en")
    assert "lobby-1" in page.text and "0.1.0" in page.text  # version reported at its sync
    made = post_form(
        admin, url, "/console/admin/kiosks", "/console/admin/kiosks/enrol", kiosk_id="lobby-2"
    )
    code = re.search(r"<code>([A-Z0-9-]{19})</code>", made.text)
    assert code is not None and 'src="data:image/png;base64,' in made.text
    data = tmp_path / "lobby-2"
    assert main(["--data-dir", str(data), "enroll", url, code.group(1)]) == 0
    assert service.authenticate(json.loads((data / "hub.json").read_text())["token"])

    service.add_kiosk("elsewhere-1", "Other Site")
    taken = post_form(
        admin, url, "/console/admin/kiosks", "/console/admin/kiosks/enrol", kiosk_id="elsewhere-1"
    )
    assert "belongs to another site" in taken.text
    post_form(
        admin, url, "/console/admin/kiosks", "/console/admin/kiosks/revoke", kiosk_id="lobby-1"
    )
    assert service.authenticate(one.config.hub_token) is None
    refused = post_form(
        admin, url, "/console/admin/kiosks", "/console/admin/kiosks/revoke", kiosk_id="elsewhere-1"
    )
    assert "no such kiosk of this site" in refused.text
    assert service.authenticate(service.add_kiosk("elsewhere-1", "Other Site"))
    trail = admin.get(f"{url}/console/admin/audit?lang=en").text
    assert "intact" in trail and "Made an enrolment code" in trail and "Revoked a kiosk" in trail
    assert "code valid for 24 hours" in trail and "code valid 24 h" not in trail
    assert "Checked in full" not in trail
    purge_everything(service)  # the hub's upkeep checks the whole chain; the page, what came since
    assert "Checked in full at" in admin.get(f"{url}/console/admin/audit?lang=en").text
    assert "代碼 24 小時內有效" in admin.get(f"{url}/console/admin/audit?lang=zh-TW").text


def test_users_and_roles(hub: tuple[HubService, str, Lobby], clock: FakeClock) -> None:
    service, url, _one = hub
    service.import_hosts(SITE, [Host("h-lin", "林志明 Jimmy Lin")])
    admin = signed_in(url, "boss", add_enrolled(service, clock, "boss", SITE, "admin"), clock)
    weak = post_form(
        admin,
        url,
        "/console/admin/users",
        "/console/admin/users/add",
        login="ann",
        role="frontdesk",
        password="short",
    )
    assert "12" in weak.text and "ann" not in {
        u.login for u in Accounts(service.engine, clock).users()
    }
    post_form(
        admin,
        url,
        "/console/admin/users",
        "/console/admin/users/add",
        login="ann",
        role="frontdesk",
        password=PASSWORD,
    )
    ann, answer = _sign_in(url, "ann")
    assert answer.headers["Location"] == "/console/onsite"
    post_form(
        admin,
        url,
        "/console/admin/users",
        "/console/admin/users/role",
        login="ann",
        role="host",
        host_id="h-lin",
    )
    assert ann.get(f"{url}/console/onsite", allow_redirects=False).status_code == 303  # signed out
    assert {u.login: u.role for u in Accounts(service.engine, clock).users(SITE)}["ann"] == "host"
    own = post_form(admin, url, "/console/admin/users", "/console/admin/users/remove", login="boss")
    assert "your own account" in own.text
    post_form(admin, url, "/console/admin/users", "/console/admin/users/remove", login="ann")
    assert "ann" not in {u.login for u in Accounts(service.engine, clock).users(SITE)}


def test_a_deny_entry_made_in_the_console_refuses_the_guest_at_the_kiosk(
    hub: tuple[HubService, str, Lobby], clock: FakeClock
) -> None:
    service, url, one = hub
    one.sync(clock)
    admin = signed_in(url, "boss", add_enrolled(service, clock, "boss", SITE, "admin"), clock)
    empty = post_form(admin, url, "/console/admin/deny", "/console/admin/deny/add", reason="x")
    assert "Give a name or an email" in empty.text
    post_form(
        admin,
        url,
        "/console/admin/deny",
        "/console/admin/deny/add",
        name="Mallory Intruder",
        reason="threatened staff",
        days="30",
    )
    stored = hub_rows(service, "SELECT * FROM deny")
    assert len(stored) == 1 and "Mallory" not in json.dumps(stored)  # hashes only
    one.sync(clock)
    with pytest.raises(SeeFrontDeskError):
        one.visit(("Mallory Intruder", "m@example.com"))
    post_form(
        admin,
        url,
        "/console/admin/deny",
        "/console/admin/deny/remove",
        deny_id=stored[0]["deny_id"],
    )
    one.sync(clock)
    assert one.visit(("Mallory Intruder", "m@example.com"))


def test_a_deny_reason_leaves_the_hub_with_its_entry(
    hub: tuple[HubService, str, Lobby], clock: FakeClock, tmp_path: Path
) -> None:
    """Staff's reason is words about a person: it is kept with the entry, and goes with it. The
    audit trail (kept for good) says that an entry was added and removed, by id, not why: it
    kept the reason after the entry and its hashes were gone."""
    service, url, _one = hub
    admin = signed_in(url, "boss", add_enrolled(service, clock, "boss", SITE, "admin"), clock)
    reason = "shouted at the night guard on floor 3"
    add = {"name": "Mallory Intruder", "reason": reason, "days": "30"}
    post_form(admin, url, "/console/admin/deny", "/console/admin/deny/add", **add)
    (entry,) = hub_rows(service, "SELECT deny_id, reason FROM deny")
    assert entry["reason"] == reason  # the deny list shows it while the entry stands
    remove = {"deny_id": entry["deny_id"]}
    post_form(admin, url, "/console/admin/deny", "/console/admin/deny/remove", **remove)
    service.purge()
    trail = hub_rows(service, "SELECT action, record, detail FROM console_audit")
    assert [(a["action"], a["record"]) for a in trail if a["action"].startswith("deny")] == [
        ("deny_add", entry["deny_id"]),
        ("deny_remove", entry["deny_id"]),
    ]
    held = [f.name for f in tmp_path.glob("hub.db*") if reason.encode() in f.read_bytes()]
    assert held == [], f"the reason is still in {held}"


def test_hosts_and_companies_edited_and_imported_in_the_console_reach_the_kiosk(
    hub: tuple[HubService, str, Lobby], clock: FakeClock
) -> None:
    service, url, one = hub
    admin = signed_in(url, "boss", add_enrolled(service, clock, "boss", SITE, "admin"), clock)
    post_form(
        admin,
        url,
        "/console/admin/hosts",
        "/console/admin/companies/save",
        company_id="acme",
        name="Acme Ltd",
    )
    bad = "id,name,company\nh-1,Amy,acme\nbad id!,Ben,\nh-3,Cy,nowhere\n"
    refused = post_form(admin, url, "/console/admin/hosts", "/console/admin/hosts/import", csv=bad)
    assert "Line 3:" in refused.text and "Line 4:" in refused.text
    assert service.hosts(SITE) == []  # all rows or none
    good = "id,name,department,company\nh-1,Amy Chen,Sales,acme\nh-2,林小美,R&D,\n"
    post_form(admin, url, "/console/admin/hosts", "/console/admin/hosts/import", csv=good)
    post_form(
        admin,
        url,
        "/console/admin/hosts",
        "/console/admin/hosts/save",
        id="h-2",
        name="林小美",
        department="Research",
        language="zh-TW",
        active="yes",
    )
    exported = admin.get(f"{url}/console/admin/hosts.csv")
    assert "h-2,林小美,Research" in exported.text
    in_use = post_form(
        admin, url, "/console/admin/hosts", "/console/admin/companies/remove", company_id="acme"
    )
    assert "still belong" in in_use.text
    one.sync(clock)
    assert {h.id: h.department for h in one.store.hosts()} == {"h-1": "Sales", "h-2": "Research"}


@pytest.fixture
def any_hub(hub_db: str, clock: FakeClock) -> Iterator[tuple[HubService, str]]:
    service = hub_service(hub_db, clock)
    with serve_hub(service) as url:
        yield service, url
    service.close()


def test_hostile_form_fields_get_an_answer_never_a_crash(
    any_hub: tuple[HubService, str], clock: FakeClock
) -> None:
    """NUL bytes, over-long and odd values in every administration form, on SQLite and on a
    PostgreSQL that refuses NUL in text: each form answers with a page, the data stays sane."""
    service, url = any_hub
    admin = signed_in(url, "boss", add_enrolled(service, clock, "boss", SITE, "admin"), clock)
    odd = "\0<script>x</script>" + "界" * 300
    posts = {
        "/console/admin/kiosks": {
            "/console/admin/kiosks/enrol": {"kiosk_id": odd},
            "/console/admin/kiosks/revoke": {"kiosk_id": odd},
        },
        "/console/admin/users": {
            "/console/admin/users/add": {
                "login": odd,
                "role": "host",
                "host_id": odd,
                "password": PASSWORD,
            },
            "/console/admin/users/role": {"login": odd, "role": odd, "host_id": odd},
            "/console/admin/users/remove": {"login": odd},
        },
        "/console/admin/deny": {
            "/console/admin/deny/add": {"name": odd, "email": odd, "reason": odd, "days": odd},
            "/console/admin/deny/remove": {"deny_id": odd},
        },
        "/console/admin/hosts": {
            "/console/admin/hosts/save": {"id": odd, "name": odd, "email": odd},
            "/console/admin/hosts/import": {"csv": f"id,name\n{odd},{odd}\n"},
            "/console/admin/companies/save": {"company_id": odd, "name": odd},
            "/console/admin/companies/remove": {"company_id": odd},
        },
    }
    for page, actions in posts.items():
        for action, fields in actions.items():
            answer = post_form(admin, url, page, action, **fields)
            assert answer.status_code == 200, (action, answer.status_code)
            assert "<script>x</script>" not in answer.text  # escaped wherever it is shown
    officer = signed_in(url, "po", add_enrolled(service, clock, "po", SITE, "privacy"), clock)
    for action, fields in {
        "/console/privacy/request": {"email": odd, "kind": odd, "confirm": odd},
        "/console/privacy/download": {"receipt": odd},
    }.items():
        answer = post_form(officer, url, "/console/privacy", action, **fields)
        assert answer.status_code == 200, (action, answer.status_code)
    made = post_form(
        admin,
        url,
        "/console/admin/users",
        "/console/admin/users/add",
        login="hostile",
        role="host",
        host_id="h-nobody",
        password=PASSWORD,
    )
    assert "no host with that id" in made.text
    assert "hostile" not in {u.login for u in Accounts(service.engine, clock).users()}
