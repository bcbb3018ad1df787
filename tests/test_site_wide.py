"""Two kiosks of one site and a hub, with no key file copied by hand: the site's keys come
through the hub, so a badge from one lobby verifies at the other and a deny entry made at one
refuses the guest at the other; one erase request made at the hub leaves the person's name and
email in none of the bytes of either kiosk's data directory or the hub's database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.badges import BadgeTokens
from kiosk.checkin import CheckinService, SeeFrontDeskError
from kiosk.config import Config, load_config
from kiosk.denylist import DenyList
from kiosk.hub.rights_desk import RightsDesk
from kiosk.hub.service import HubService
from kiosk.hub_client import HubClient, HubUnavailableError
from kiosk.keys import KeyRing, load_or_create, rotate
from kiosk.records import replace
from kiosk.site_keys import rights_key
from kiosk.site_rights import answer_rights_requests
from kiosk.site_sync import share_with_site
from kiosk.store import Store
from kiosk.sync import ExchangeReport, sync_once
from kiosk.tokens import Verdict
from kiosk.wire import SYNC_FIELDS, Host
from tests.conftest import FakeClock, make_form
from tests.hub_server import hub_rows, hub_service, serve_hub
from tests.test_invitations import invite
from tests.test_retention import hits

SITE = "Demo Tower"
PERSON = ("Zelda Canary-Quokka", "zelda.canary@quokka.example")
PERSON_CJK = ("金絲雀測試", "canary-cjk@例え.jp")
OTHER = ("Still Here", "still@here.example")


@dataclass
class Lobby:
    config: Config
    store: Store
    ring: KeyRing
    deny: DenyList
    checkin: CheckinService
    tokens: BadgeTokens

    def sync(self, clock: FakeClock) -> ExchangeReport:
        client = HubClient(self.config.hub_url, self.config.hub_token)
        assert sync_once(self.store, self.config, client, clock()).retrying == 0
        return share_with_site(self.store, self.config, client, self.deny, self.ring, clock())

    def visit(self, person: tuple[str, str]) -> str:
        form = make_form(name=person[0], email=person[1])
        return self.checkin.check_in(form, self.checkin.current_notice("en")).visit.id


def _lobby(tmp_path: Path, name: str, url: str, service: HubService, clock: FakeClock) -> Lobby:
    config = replace(
        load_config(env={}),
        data_dir=tmp_path / name,
        kiosk_id=name,
        hub_url=url,
        hub_token=service.add_kiosk(name, SITE),
        sync_fields=SYNC_FIELDS,  # names and emails too: the worst case for the hub
    )
    config = replace(config, site_name=SITE)
    store = Store(config.database_path)
    ring = load_or_create(config.keys_dir, clock())
    deny = DenyList(store, config.keys_dir)
    tokens = BadgeTokens(ring, config, store)
    checkin = CheckinService(store, config, clock, deny_list=deny, tokens=tokens)
    return Lobby(config, store, ring, deny, checkin, tokens)


@pytest.fixture
def hub_dir(tmp_path: Path) -> Path:
    return tmp_path / "hub"


Site = tuple[HubService, Lobby, Lobby]


def _site(tmp_path: Path, db_url: str, clock: FakeClock) -> Iterator[Site]:
    service = hub_service(db_url, clock)
    with serve_hub(service) as url:
        a = _lobby(tmp_path, "lobby-1", url, service, clock)
        b = _lobby(tmp_path, "lobby-2", url, service, clock)
        yield service, a, b
        a.store.close()
        b.store.close()
    service.close()


@pytest.fixture
def site(tmp_path: Path, hub_db: str, clock: FakeClock) -> Iterator[Site]:
    """On SQLite and on PostgreSQL."""
    yield from _site(tmp_path, hub_db, clock)


@pytest.fixture
def sqlite_site(tmp_path: Path, hub_dir: Path, clock: FakeClock) -> Iterator[Site]:
    """On SQLite, whose files the tests read byte by byte."""
    hub_dir.mkdir()
    yield from _site(tmp_path, f"sqlite:///{hub_dir / 'hub.db'}", clock)


def test_kiosks_share_the_deny_key_through_the_hub_and_refuse_the_same_guest(
    site: Site, clock: FakeClock
) -> None:
    _hub, a, b = site
    assert a.deny.key_id != b.deny.key_id  # each made its own at first start
    a.sync(clock)
    b.sync(clock)
    assert a.deny.key_id == b.deny.key_id  # the site's, from the hub: nothing copied
    assert (a.config.keys_dir / "deny.key").stat().st_mode & 0o777 == 0o600
    a.deny.add("Mallory Intruder", "", "threatened staff", clock(), None, "s-ann")
    a.sync(clock)
    b.sync(clock)
    with pytest.raises(SeeFrontDeskError):
        b.visit(("Mallory Intruder", "someone@example.com"))


def test_a_badge_from_one_lobby_verifies_at_the_other_also_after_a_rotation(
    site: Site, clock: FakeClock
) -> None:
    _hub, a, b = site
    visit = a.store.visit(a.visit(OTHER))
    assert visit is not None
    token = a.tokens.token_for(visit)
    assert b.tokens.check(token, clock()).verdict is Verdict.UNKNOWN_KEY
    a.sync(clock)
    report = b.sync(clock)
    assert report.badge_keys_added == 1
    assert b.tokens.check(token, clock()).verdict is Verdict.VALID

    a.ring = rotate(a.ring, a.config.keys_dir, clock())  # A's next badges: a new key
    a.tokens = BadgeTokens(a.ring, a.config, a.store)
    fresh = a.tokens.token_for(visit)
    a.sync(clock)
    b.sync(clock)
    assert b.tokens.check(fresh, clock()).verdict is Verdict.VALID
    assert b.tokens.check(token, clock()).verdict is Verdict.VALID  # printed earlier: still good
    retired = [e for e in b.ring.entries if e.kid == a.ring.entries[0].kid]
    assert retired and retired[0].retired_at  # B knows the old key was retired


def test_one_erase_request_at_the_hub_reaches_both_kiosks_down_to_the_bytes(
    sqlite_site: Site, clock: FakeClock, hub_dir: Path
) -> None:
    service, a, b = sqlite_site
    for lobby in (a, b):
        lobby.visit(PERSON)
        lobby.visit(PERSON_CJK)
        lobby.visit(OTHER)
        lobby.sync(clock)
    desk = RightsDesk(service)
    for name, email in (PERSON, PERSON_CJK):
        assert hits(hub_dir, name) and hits(a.config.data_dir, email)

    receipts = [
        desk.request(SITE, "erase", email.upper(), "po") for _name, email in (PERSON, PERSON_CJK)
    ]
    status = desk.status(SITE, receipts[0])
    assert status.kiosks == {"lobby-1": "pending", "lobby-2": "pending"}
    assert status.visits["hub"] == 2  # the hub erased its own copies at once
    assert a.sync(clock).rights_requests == 2
    assert desk.status(SITE, receipts[0]).kiosks == {"lobby-1": "done", "lobby-2": "pending"}
    clock.advance(minutes=5)  # lobby-2 was away for a while
    assert b.sync(clock).rights_requests == 2
    for receipt in receipts:
        done = desk.status(SITE, receipt)
        assert done.kiosks == {"lobby-1": "done", "lobby-2": "done"}
        assert done.visits == {"hub": 2, "lobby-1": 1, "lobby-2": 1}
    assert b.sync(clock).rights_requests == 0  # answered once

    for name, email in (PERSON, PERSON_CJK):
        for place in (a.config.data_dir, b.config.data_dir, hub_dir):
            assert hits(place, name) == [], f"{name} left in {place}"
            assert hits(place, email) == [], f"{email} left in {place}"
    for place in (a.config.data_dir, b.config.data_dir, hub_dir):
        assert hits(place, OTHER[0]), "another visitor is untouched"
    hashes = hub_rows(service, "SELECT email_hash FROM rights_requests")
    assert hashes == [{"email_hash": ""}, {"email_hash": ""}]  # forgotten once all answered
    trail = [row["action"] for row in hub_rows(service, "SELECT action FROM console_audit")]
    assert trail.count("rights_erase") == 2 and trail.count("rights_erase_done") == 4


def test_an_export_collects_every_kiosk_and_is_erased_at_the_hub_once_fetched(
    site: Site, clock: FakeClock
) -> None:
    service, a, b = site
    for lobby in (a, b):
        lobby.visit(PERSON)
        lobby.visit(OTHER)
        lobby.sync(clock)
    desk = RightsDesk(service)
    receipt = desk.request(SITE, "export", PERSON[1], "po")
    a.sync(clock)
    b.sync(clock)
    assert desk.status(SITE, receipt).complete
    exported = desk.download(SITE, receipt, "po")
    assert sorted(exported["records"]) == ["hub", "lobby-1", "lobby-2"]
    for kiosk in ("lobby-1", "lobby-2"):
        (record,) = exported["records"][kiosk]
        assert (record["name"], record["email"]) == PERSON
        assert record["notices"], "with the notice the person accepted"
    assert [r["name"] for r in exported["records"]["hub"]] == [PERSON[0], PERSON[0]]
    assert hub_rows(service, "SELECT * FROM rights_exports") == []
    assert a.store.visits() and len(a.store.visits()) == 2, "an export erases nothing"


def test_a_request_from_the_hub_covers_the_kiosks_invitations(
    sqlite_site: Site, clock: FakeClock
) -> None:
    """An invitation made at a kiosk (``kiosk invite``) holds the person's name and address:
    a request made at the hub exports it and erases it, as it does their visits."""
    service, a, b = sqlite_site
    a.sync(clock)  # the site's rights key
    invite(a.store, a.config, clock, name=PERSON[0], email=PERSON[1])
    invite(a.store, a.config, clock, name=OTHER[0], email=OTHER[1])
    desk = RightsDesk(service)
    asked = desk.request(SITE, "export", PERSON[1], "po")
    a.sync(clock)
    b.sync(clock)
    (record,) = desk.download(SITE, asked, "po")["records"]["lobby-1"]
    assert record["record"] == "invitation" and (record["name"], record["email"]) == PERSON
    desk.request(SITE, "erase", PERSON[1].upper(), "po")
    a.sync(clock)
    assert [row["host_id"] for row in a.store.invitations()] == ["h-chen"]  # the other's
    assert hits(a.config.data_dir, PERSON[0]) == [] and hits(a.config.data_dir, PERSON[1]) == []


def test_export_data_waits_seven_days_at_most(site: Site, clock: FakeClock) -> None:
    service, a, _b = site
    a.visit(PERSON)
    a.sync(clock)
    desk = RightsDesk(service)
    receipt = desk.request(SITE, "export", PERSON[1], "po")
    a.sync(clock)
    assert hub_rows(service, "SELECT count(*) AS n FROM rights_exports") == [{"n": 2}]
    clock.advance(days=6)
    assert desk.purge() == 0
    clock.advance(days=1, seconds=1)
    assert desk.purge() == 1
    assert hub_rows(service, "SELECT * FROM rights_exports") == []
    with pytest.raises(LookupError):
        desk.download(SITE, receipt, "po")


def test_a_revoked_kiosk_is_shown_as_such_and_does_not_hold_the_request_open(
    site: Site, clock: FakeClock
) -> None:
    service, a, _b = site
    receipt = RightsDesk(service).request(SITE, "erase", PERSON[1], "po")
    assert service.revoke_kiosk("lobby-2")
    a.sync(clock)
    status = RightsDesk(service).status(SITE, receipt)
    assert status.kiosks == {"lobby-1": "done", "lobby-2": "revoked"}
    assert status.complete


class _AnswerLost(HubClient):
    """The kiosk's call that reports a request done never arrives."""

    def post(self, path: str, body: dict[str, object], key: str) -> dict[str, object]:
        if path.startswith("/v1/rights/"):
            raise HubUnavailableError("hub not reachable (ReadTimeout)")
        return super().post(path, body, key)  # type: ignore[arg-type]


def test_a_lost_answer_is_given_again_with_the_same_visit_ids(site: Site, clock: FakeClock) -> None:
    service, a, _b = site
    a.visit(PERSON)
    a.sync(clock)
    desk = RightsDesk(service)
    receipt = desk.request(SITE, "erase", PERSON[1], "po")
    lossy = _AnswerLost(a.config.hub_url, a.config.hub_token)
    assert (
        answer_rights_requests(a.store, a.config, lossy, rights_key(a.config.keys_dir), clock())
        == 0
    )
    assert a.store.visits() == []  # erased here at once
    assert desk.status(SITE, receipt).kiosks["lobby-1"] == "pending"
    assert a.sync(clock).rights_requests == 1
    done = desk.status(SITE, receipt)
    assert done.kiosks["lobby-1"] == "done" and done.visits["lobby-1"] == 1  # the same ids


def test_a_hub_of_an_earlier_release_still_gets_the_shared_lists(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Kiosks upgraded before their hub: the newer exchanges are refused (404), the rest goes on."""
    service = hub_service(f"sqlite:///{tmp_path / 'old.db'}", clock)
    service.import_hosts(SITE, [Host("h-old", "Old Hub Host")])
    newer = ("/v1/site-keys", "/v1/badge-keys", "/v1/rights", "/v1/rights/{receipt}", "/v1/status")
    with serve_hub(service, without=newer) as url:
        a = _lobby(tmp_path, "lobby-1", url, service, clock)
        a.visit(OTHER)
        report = a.sync(clock)
        assert report.hosts == 1 and report.badge_keys_added == 0
        assert [row["visit_id"] for row in service.on_site(SITE)]
        a.store.close()
    service.close()
