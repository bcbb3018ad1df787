"""Two kiosks of one site against one hub: one on-site list, check-out anywhere, one host
directory, one deny list."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.badges import BadgeTokens
from kiosk.checkin import CheckinService, SeeFrontDeskError
from kiosk.checkout import CheckoutService
from kiosk.config import Config, load_config
from kiosk.denylist import DenyList
from kiosk.hosts import HostDirectory, import_hosts
from kiosk.hub.service import HubService
from kiosk.hub_client import HubClient
from kiosk.keys import load_or_create
from kiosk.models import Host
from kiosk.onsite import hub_on_site, people_on_site, site_on_site
from kiosk.records import replace
from kiosk.retention import purge
from kiosk.store import Store
from kiosk.sync import exchange, sync_once
from kiosk.tokens import short_code
from tests.conftest import FakeClock, make_form
from tests.hub_server import hub_service, serve_hub

SITE = "Demo Tower"


@dataclass
class Lobby:
    config: Config
    store: Store
    checkin: CheckinService
    checkout: CheckoutService
    deny: DenyList

    @property
    def client(self) -> HubClient:
        return HubClient(self.config.hub_url, self.config.hub_token)

    def sync(self, clock: FakeClock) -> None:
        assert sync_once(self.store, self.config, self.client, clock()).retrying == 0
        exchange(self.store, self.config, self.client, self.deny.key_id, clock())

    def on_site(self, clock: FakeClock) -> list[str]:
        directory = HostDirectory(self.store, self.config)
        people = site_on_site(self.store, directory, clock(), hub_on_site(self.client))
        return [person.name for person in people]


@pytest.fixture
def hub(hub_db: str, clock: FakeClock) -> Iterator[tuple[str, HubService]]:
    service = hub_service(hub_db, clock)
    with serve_hub(service) as url:
        yield url, service
    service.close()


def lobby(
    tmp_path: Path, name: str, hub: tuple[str, HubService], clock: FakeClock, names: bool
) -> Lobby:
    fields = ("name",) if names else ()
    config = replace(
        load_config(env={}),
        data_dir=tmp_path / name,
        kiosk_id=name,
        hub_url=hub[0],
        hub_token=hub[1].add_kiosk(name, SITE),
    )
    config = replace(config, sync_fields=(*config.sync_fields, *fields))
    store = Store(config.database_path)
    tokens = BadgeTokens(load_or_create(config.keys_dir, clock()), config, store)
    deny = DenyList(store, config.keys_dir)
    return Lobby(
        config,
        store,
        CheckinService(store, config, clock, deny_list=deny),
        CheckoutService(store, config, tokens, clock),
        deny,
    )


@pytest.fixture
def lobbies(
    tmp_path: Path, hub: tuple[str, HubService], clock: FakeClock
) -> Iterator[tuple[Lobby, Lobby]]:
    a = lobby(tmp_path, "lobby-a", hub, clock, names=True)
    (tmp_path / "lobby-b" / "keys").mkdir(parents=True)
    shutil.copy(a.config.keys_dir / "deny.key", tmp_path / "lobby-b" / "keys" / "deny.key")
    b = lobby(tmp_path, "lobby-b", hub, clock, names=True)
    yield a, b
    a.store.close()
    b.store.close()


@pytest.fixture
def quiet_lobbies(
    tmp_path: Path, hub: tuple[str, HubService], clock: FakeClock
) -> Iterator[tuple[Lobby, Lobby]]:
    """Two kiosks that send no names, each with its own deny.key (nobody copied it across)."""
    a = lobby(tmp_path, "lobby-a", hub, clock, names=False)
    b = lobby(tmp_path, "lobby-b", hub, clock, names=False)
    yield a, b
    a.store.close()
    b.store.close()


def test_a_guest_checked_in_at_a_is_on_b_s_list_and_can_be_checked_out_there(
    lobbies: tuple[Lobby, Lobby], hub: tuple[str, HubService], clock: FakeClock
) -> None:
    a, b = lobbies
    visit = a.checkin.check_in(make_form(name="Ada Lovelace"), a.checkin.current_notice("en")).visit
    clock.advance(minutes=1)
    b.checkin.check_in(make_form(name="林小美"), b.checkin.current_notice("en"))
    a.sync(clock)
    b.sync(clock)
    assert b.on_site(clock) == ["Ada Lovelace", "林小美"]

    clock.advance(hours=1)
    assert b.checkout.staff_check_out(visit.id, "s-ann")
    assert b.on_site(clock) == ["林小美"]  # at once, before the hub has heard of it
    b.sync(clock)
    assert a.store.visit(visit.id).checked_out_at is None  # A has not synced yet
    a.sync(clock)
    assert a.on_site(clock) == ["林小美"]
    left = a.store.visit(visit.id)
    assert left is not None and left.checked_out_at == clock()
    assert a.store.is_revoked(visit.id)  # the badge stops working at A too
    a.sync(clock)  # nothing is sent back: the hub already has the check-out
    assert sum(1 for r in a.store.outbox_overview() if r["kind"] == "sync") == 0

    # B's note of the check-out goes with retention like everything else
    assert len(b.store._rows("SELECT * FROM remote_checkouts")) == 1
    clock.advance(days=b.config.retention_days, seconds=1)
    purge(b.store, b.config.spool_dir, clock(), b.config.retention_days)
    assert b.store._rows("SELECT * FROM remote_checkouts") == []


def test_without_names_the_site_list_shows_badge_codes(
    quiet_lobbies: tuple[Lobby, Lobby], clock: FakeClock
) -> None:
    a, b = quiet_lobbies
    visit = a.checkin.check_in(make_form(name="Quiet Person"), a.checkin.current_notice("en")).visit
    a.sync(clock)
    assert b.on_site(clock) == [f"#{short_code(visit.id)}"]


def test_deny_entries_and_the_directory_reach_every_kiosk_of_the_site(
    lobbies: tuple[Lobby, Lobby], hub: tuple[str, HubService], clock: FakeClock
) -> None:
    a, b = lobbies
    hub[1].import_hosts(SITE, [Host("h-new", "周杰 Jay Chou", "Music", "jay@example.com")])
    deny_id = a.deny.add("Mallory Evil", "", "threatened staff", clock(), None, "staff:s-ann")
    a.sync(clock)
    b.sync(clock)
    assert HostDirectory(b.store, b.config).get("h-new") is not None
    with pytest.raises(SeeFrontDeskError):
        b.checkin.check_in(make_form(name="mallory  EVIL"), b.checkin.current_notice("en"))
    b.store.remove_deny(deny_id, clock())
    b.sync(clock)
    a.sync(clock)
    a.checkin.check_in(make_form(name="Mallory Evil"), a.checkin.current_notice("en"))


def test_a_sync_writes_only_the_hosts_that_changed_at_the_hub(
    lobbies: tuple[Lobby, Lobby], hub: tuple[str, HubService], clock: FakeClock
) -> None:
    """The hub sends its whole directory at every sync (every 30 s, and after each check-in).
    Rewritten whole, 5,000 unchanged hosts held the store 45 ms each time, and the kiosk
    rebuilt its host search for nothing (80-120 ms): it does so only when a host changed."""
    a, _ = lobbies
    people = [Host(f"h{n}", f"Person {n}", "Sales", f"p{n}@example.com") for n in range(50)]
    hub[1].import_hosts(SITE, people)
    client = a.client
    first = exchange(a.store, a.config, client, a.deny.key_id, clock())
    assert first.hosts == 50
    conn = a.store._db.conn  # every write to a host row, counted by the database itself
    conn.execute("CREATE TEMP TABLE host_writes (id TEXT)")
    conn.execute(
        "CREATE TEMP TRIGGER host_written AFTER UPDATE ON main.hosts "
        "BEGIN INSERT INTO host_writes VALUES (new.id); END"
    )
    again = exchange(a.store, a.config, client, a.deny.key_id, clock())
    assert again.hosts == 0
    assert conn.execute("SELECT count(*) FROM host_writes").fetchone()[0] == 0
    hub[1].import_hosts(SITE, [replace(people[7], department="Research")])
    assert exchange(a.store, a.config, client, a.deny.key_id, clock()).hosts == 1
    assert conn.execute("SELECT id FROM host_writes").fetchall() == [("h7",)]
    assert HostDirectory(a.store, a.config).get("h7").department == "Research"  # type: ignore[union-attr]


class HostsAnswers(requests.Session):
    """A real session that notes the status of each answer to ``GET /v1/hosts``."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[int] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kw: Any) -> Any:
        answer = super().request(method, url, *args, **kw)
        if str(url).endswith("/v1/hosts"):
            self.statuses.append(answer.status_code)
        return answer


def test_a_kiosk_reads_the_directory_only_when_the_hub_changed_it(
    lobbies: tuple[Lobby, Lobby], hub: tuple[str, HubService], clock: FakeClock
) -> None:
    """Each sync asks with the tag it holds; the hub answers 304 and sends nothing until the
    directory changes there. A directory imported at the kiosk forgets the tag, so the hub's
    directory is taken over it again at the next sync, as before the hub tagged it."""
    a, _ = lobbies
    people = [Host(f"h{n}", f"Person {n}", "Sales", f"p{n}@example.com") for n in range(20)]
    hub[1].import_hosts(SITE, people)
    session = HostsAnswers()
    client = HubClient(a.config.hub_url, a.config.hub_token, session)

    def sync() -> int:
        return exchange(a.store, a.config, client, a.deny.key_id, clock()).hosts

    assert (sync(), sync(), sync()) == (20, 0, 0)
    assert session.statuses == [200, 304, 304]
    hub[1].import_hosts(SITE, [replace(people[3], name="Person Three")])
    assert (sync(), sync()) == (1, 0)
    assert session.statuses[3:] == [200, 304]
    assert HostDirectory(a.store, a.config).get("h3").name == "Person Three"  # type: ignore[union-attr]
    import_hosts(
        a.store, "id,name,department,email\nh3,Someone Else,Sales,x@example.com\n", a.config
    )
    assert sync() == 1  # the hub's h3 again
    assert session.statuses[5:] == [200]
    assert HostDirectory(a.store, a.config).get("h3").name == "Person Three"  # type: ignore[union-attr]


def test_entries_under_another_deny_key_are_not_used_and_are_reported(
    quiet_lobbies: tuple[Lobby, Lobby], clock: FakeClock
) -> None:
    a, b = quiet_lobbies  # each with its own deny.key: a setup mistake
    a.deny.add("Mallory Evil", "", "threatened staff", clock(), None, "staff:s-ann")
    a.sync(clock)
    report = exchange(b.store, b.config, b.client, b.deny.key_id, clock())
    assert report.deny_other_key == 1 and report.deny_added == 0


def test_the_staff_list_and_evacuation_merge_the_hub_and_fall_back_to_this_kiosk(
    lobbies: tuple[Lobby, Lobby], clock: FakeClock
) -> None:
    a, b = lobbies
    a.checkin.check_in(make_form(name="Ada Lovelace"), a.checkin.current_notice("en"))
    clock.advance(minutes=1)
    b.checkin.check_in(make_form(name="林小美"), b.checkin.current_notice("en"))
    a.sync(clock)
    directory = HostDirectory(b.store, b.config)
    merged = people_on_site(b.store, directory, b.config, clock())
    assert [(p.name, p.kiosk_id) for p in merged] == [
        ("Ada Lovelace", "lobby-a"),
        ("林小美", "lobby-b"),
    ]
    assert [p.name for p in people_on_site(b.store, directory, b.config, clock(), "ada")] == [
        "Ada Lovelace"
    ]
    away = replace(b.config, hub_url="http://127.0.0.1:9")  # nothing listens there
    assert [p.name for p in people_on_site(b.store, directory, away, clock())] == ["林小美"]


def test_the_roll_call_commands_take_the_site_wide_list_from_the_composition_root(
    lobbies: tuple[Lobby, Lobby], clock: FakeClock, tmp_path: Path
) -> None:
    """``kiosk onsite`` and ``kiosk evacuation`` ask ``Site.on_site``: the hub's list."""
    from kiosk.rollcall import RollCall
    from kiosk.site import Site
    from printers.evacuation import roll_call_pdf
    from tests.test_onsite import _boxes_per_page

    a, b = lobbies
    a.checkin.check_in(make_form(name="Ada Lovelace"), a.checkin.current_notice("en"))
    b.checkin.check_in(make_form(name="林小美"), b.checkin.current_notice("en"))
    a.sync(clock)
    people = Site(b.config, b.store, clock).on_site()
    assert sorted(p.kiosk_id for p in people) == ["lobby-a", "lobby-b"]
    pdf = roll_call_pdf(RollCall(clock(), people), b.config, tmp_path / "roll.pdf")
    assert _boxes_per_page(pdf) == [2]
