"""The hub's web console over real HTTP (uvicorn on 127.0.0.1), fed by real kiosks syncing to the
same hub: sign-in, cookies and their flags, CSRF, security headers, timeouts, one site per user,
and sessions shared by two hub processes on one database."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.hub.accounts import Accounts
from kiosk.hub.service import HubService
from kiosk.hub.upkeep import purge_everything
from kiosk.hub_client import HubClient
from kiosk.records import replace
from kiosk.store import Store
from kiosk.sync import sync_once
from tests.conftest import FakeClock, make_form
from tests.hub_server import hub_rows, hub_service, serve_hub

PASSWORD = "lantern-tide-at-dusk"


def harbour_kiosk(hub: HubService, url: str, config: Config, kiosk_id: str = "harbour-1") -> Config:
    """A kiosk of the site "Harbour", registered at the hub, sending names."""
    return replace(
        config,
        site_name="Harbour",
        kiosk_id=kiosk_id,
        hub_url=url,
        hub_token=hub.add_kiosk(kiosk_id, "Harbour"),
        sync_fields=(*config.sync_fields, "name"),
        data_dir=config.data_dir.parent / kiosk_id,
    )


def _kiosk_visit(
    hub: HubService, url: str, config: Config, site: str, kiosk_id: str, name: str, clock: FakeClock
) -> None:
    """A guest checks in at a kiosk of ``site``, which syncs (names included) to the hub."""
    token = hub.add_kiosk(kiosk_id, site)
    cfg = replace(
        config,
        site_name=site,
        kiosk_id=kiosk_id,
        hub_url=url,
        hub_token=token,
        sync_fields=(*config.sync_fields, "name"),
        data_dir=config.data_dir.parent / kiosk_id,
    )
    with Store(cfg.database_path) as store:
        service = CheckinService(store, cfg, clock)
        service.check_in(make_form(name=name), service.current_notice("en"))
        sync_once(store, cfg, HubClient(url, token), clock())


def _sign_in(
    url: str, login: str, password: str = PASSWORD
) -> tuple[requests.Session, requests.Response]:
    browser = requests.Session()
    form = browser.get(f"{url}/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    answer = browser.post(
        f"{url}/console/login",
        data={"csrf": csrf.group(1), "login": login, "password": password},
        allow_redirects=False,
    )
    return browser, answer


def test_sign_in_shows_only_the_users_own_site_with_safe_cookies_and_headers(
    console_hub: tuple[HubService, str], config: Config, clock: FakeClock
) -> None:
    service, url = console_hub
    _kiosk_visit(service, url, config, "Harbour", "harbour-1", "Ada Lovelace", clock)
    _kiosk_visit(service, url, config, "Quay", "quay-1", "Quentin Quay", clock)
    accounts = Accounts(service.engine, clock)
    accounts.add("desk", "Harbour", "frontdesk", PASSWORD)

    login_page = requests.get(f"{url}/console/login", headers={"Accept-Language": "en"})
    policy = login_page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and login_page.headers["Referrer-Policy"] == "no-referrer"
    assert "<script" not in login_page.text
    cookie = login_page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")

    browser, wrong = _sign_in(url, "desk", "not-the-password")
    assert wrong.status_code == 401 and "console_session" not in wrong.headers.get("Set-Cookie", "")
    browser, answer = _sign_in(url, "desk")
    assert answer.status_code == 303 and answer.headers["Location"] == "/console/onsite"
    session_cookie = answer.headers["Set-Cookie"]
    assert "console_session=" in session_cookie and "HttpOnly" in session_cookie
    assert "Secure" not in session_cookie  # plain HTTP on 127.0.0.1 (Secure under TLS)

    page = browser.get(f"{url}/console/onsite?lang=en")
    assert page.status_code == 200
    assert "Ada Lovelace" in page.text and "Quentin Quay" not in page.text  # own site only
    assert "1 on site at Harbour" in page.text
    chinese = browser.get(f"{url}/console/onsite?lang=zh-TW")
    assert 'lang="zh-TW"' in chinese.text and "目前在場人員" in chinese.text
    # Each page offers the other language by its own name.
    assert '<a class="switch" href="?lang=en" lang="en">English</a>' in chinese.text
    assert '<a class="switch" href="?lang=zh-TW" lang="zh-TW">中文</a>' in page.text
    assert "Ada" in browser.get(f"{url}/console/onsite", params={"q": "lovel"}).text
    assert "Ada" not in browser.get(f"{url}/console/onsite", params={"q": "nobody"}).text


def test_forms_need_their_csrf_token_and_logout_ends_the_session(
    console_hub: tuple[HubService, str], clock: FakeClock
) -> None:
    service, url = console_hub
    Accounts(service.engine, clock).add("desk", "Harbour", "frontdesk", PASSWORD)
    forged = requests.post(
        f"{url}/console/login", data={"login": "desk", "password": PASSWORD}, allow_redirects=False
    )
    assert forged.status_code == 403
    browser, _answer = _sign_in(url, "desk")
    assert browser.post(f"{url}/console/logout", data={"csrf": "guessed"}).status_code == 403
    page = browser.get(f"{url}/console/onsite")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    browser.post(f"{url}/console/logout", data={"csrf": csrf.group(1)})
    after = browser.get(f"{url}/console/onsite", allow_redirects=False)
    assert after.status_code == 303 and after.headers["Location"].startswith("/console/login")


def test_sessions_time_out_and_are_shared_by_every_hub_process(
    console_hub: tuple[HubService, str], tmp_path: Path, clock: FakeClock
) -> None:
    service, url = console_hub
    Accounts(service.engine, clock).add("desk", "Harbour", "frontdesk", PASSWORD)
    browser, _answer = _sign_in(url, "desk")
    second = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)  # another process, same DB
    with serve_hub(second) as other_url:
        token = browser.cookies.get("console_session")
        elsewhere = requests.get(
            f"{other_url}/console/onsite", cookies={"console_session": token or ""}
        )
        assert elsewhere.status_code == 200 and "Harbour" in elsewhere.text
    second.close()
    clock.advance(minutes=29)
    assert browser.get(f"{url}/console/onsite", allow_redirects=False).status_code == 200
    clock.advance(minutes=31)  # idle for more than 30 minutes
    idle = browser.get(f"{url}/console/onsite", allow_redirects=False)
    assert idle.status_code == 303
    browser, _answer = _sign_in(url, "desk")
    for _ in range(25):  # in use all day: the absolute limit still ends it after 12 hours
        clock.advance(minutes=29)
        browser.get(f"{url}/console/onsite")
    assert browser.get(f"{url}/console/onsite", allow_redirects=False).status_code == 303


def test_sessions_nobody_ended_are_deleted_by_the_hubs_purge(
    console_hub: tuple[HubService, str], clock: FakeClock
) -> None:
    """A phone closed without signing out left its session row (login, times, a second-factor
    secret being enrolled) for good: only a visit with the cookie after it ran out deleted it."""
    service, url = console_hub
    Accounts(service.engine, clock).add("desk", "Harbour", "frontdesk", PASSWORD)
    _sign_in(url, "desk")  # and the phone is put away
    clock.advance(minutes=20)
    browser, _answer = _sign_in(url, "desk")  # still in use
    assert purge_everything(service)["sessions"] == 0
    clock.advance(minutes=20)
    browser.get(f"{url}/console/onsite")
    assert purge_everything(service)["sessions"] == 1  # idle 40 minutes
    assert len(hub_rows(service, "SELECT * FROM console_sessions")) == 1
    assert browser.get(f"{url}/console/onsite", allow_redirects=False).status_code == 200


def test_a_check_out_in_the_console_reaches_the_kiosk_and_revokes_the_badge(
    console_hub: tuple[HubService, str], config: Config, clock: FakeClock
) -> None:
    from kiosk.denylist import DenyList
    from kiosk.sync import exchange

    service, url = console_hub
    kiosk = harbour_kiosk(service, url, config)
    token = kiosk.hub_token
    Accounts(service.engine, clock).add("desk", "Harbour", "frontdesk", PASSWORD)
    Accounts(service.engine, clock).add("host.lin", "Harbour", "host", "tide-lantern-dusk", "h-lin")
    with Store(kiosk.database_path) as store:
        checkin = CheckinService(store, kiosk, clock)
        visit = checkin.check_in(make_form(name="Otto Leaving"), checkin.current_notice("en")).visit
        client = HubClient(url, token)
        sync_once(store, kiosk, client, clock())

        host, _ = _sign_in(url, "host.lin", "tide-lantern-dusk")  # hosts may not check out
        page = host.get(f"{url}/console/onsite?lang=en")
        assert "Otto Leaving" in page.text and "Check out Otto" not in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        refused = host.post(
            f"{url}/console/onsite/checkout", data={"csrf": csrf.group(1), "visit": visit.id}
        )
        assert refused.status_code == 403

        desk, _ = _sign_in(url, "desk")
        page = desk.get(f"{url}/console/onsite?lang=en")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None and "Check out Otto Leaving" in page.text
        done = desk.post(
            f"{url}/console/onsite/checkout", data={"csrf": csrf.group(1), "visit": visit.id}
        )
        assert "Checked out." in done.text and "0 on site at Harbour" in done.text

        assert not store.is_revoked(visit.id)
        report = exchange(store, kiosk, client, DenyList(store, kiosk.keys_dir).key_id, clock())
        assert report.checked_out_elsewhere == 1
        assert store.visit(visit.id).checked_out_at is not None  # type: ignore[union-attr]
        assert store.is_revoked(visit.id)  # the badge no longer opens anything


def test_visitor_numbers_as_a_chart_and_a_csv_for_the_users_site_only(
    console_hub: tuple[HubService, str], config: Config, clock: FakeClock
) -> None:
    import csv
    import io

    service, url = console_hub
    _kiosk_visit(service, url, config, "Harbour", "harbour-1", "Ada Lovelace", clock)
    clock.advance(days=1)
    _kiosk_visit(service, url, config, "Harbour", "harbour-2", "Bo Second", clock)
    _kiosk_visit(service, url, config, "Quay", "quay-1", "Quentin Quay", clock)
    Accounts(service.engine, clock).add("desk", "Harbour", "frontdesk", PASSWORD)
    desk, _ = _sign_in(url, "desk")
    page = desk.get(f"{url}/console/numbers?lang=en")
    assert (
        "2 check-ins in 14 days" in page.text and "<svg" in page.text and "<script" not in page.text
    )
    rows = list(csv.DictReader(io.StringIO(desk.get(f"{url}/console/numbers?format=csv").text)))
    assert len(rows) == 14 and [int(r["check_ins"]) for r in rows][-2:] == [1, 1]


def test_times_are_shown_in_the_zone_the_hub_serves(
    tmp_path: Path, config: Config, clock: FakeClock
) -> None:
    service = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    Accounts(service.engine, clock).add("desk", "Harbour", "frontdesk", PASSWORD)
    with serve_hub(service, timezone="Europe/Berlin") as url:
        _kiosk_visit(service, url, config, "Harbour", "harbour-1", "Ada Lovelace", clock)
        desk, _ = _sign_in(url, "desk")
        page = desk.get(f"{url}/console/onsite").text
    local = clock().astimezone(ZoneInfo("Europe/Berlin"))
    assert f"</span>{local:%H:%M}</td>" in page  # after the label a phone shows
    service.close()


def test_deny_list_alerts_at_a_kiosk_reach_the_front_desk_console(
    console_hub: tuple[HubService, str], config: Config, clock: FakeClock
) -> None:
    from kiosk.checkin import SeeFrontDeskError
    from kiosk.denylist import DenyList
    from kiosk.sync import exchange

    service, url = console_hub
    kiosk = harbour_kiosk(service, url, config)
    token = kiosk.hub_token
    Accounts(service.engine, clock).add("desk", "Harbour", "frontdesk", PASSWORD)
    with Store(kiosk.database_path) as store:
        deny = DenyList(store, kiosk.keys_dir)
        deny.add("Mallory Denied", "", "Trespass last week", clock(), None, "staff:s1")
        checkin = CheckinService(store, kiosk, clock, deny_list=deny)
        notice = checkin.current_notice("en")
        with pytest.raises(SeeFrontDeskError):
            checkin.check_in(make_form(name="Mallory Denied"), notice)
        checkin.check_in(make_form(name="Denied Mallory"), notice)  # a near match: admitted
        client = HubClient(url, token)
        sync_once(store, kiosk, client, clock())
        for _ in range(2):  # sent once, however often the kiosk syncs
            exchange(store, kiosk, client, deny.key_id, clock())
    desk, _ = _sign_in(url, "desk")
    page = desk.get(f"{url}/console/onsite?lang=en").text
    assert "Deny-list alerts today" in page
    assert page.count("harbour-1 · refused at the kiosk") == 1
    assert "admitted, close to a deny entry: please check · Denied Mallory" in page
    assert "(Trespass last week)" in page


def test_cookies_are_secure_when_tls_ends_at_a_reverse_proxy(
    console_hub: tuple[HubService, str], clock: FakeClock
) -> None:
    """Behind a TLS-terminating proxy on this machine (X-Forwarded-Proto: https) every console
    cookie carries Secure, so a browser never sends it over plain HTTP."""
    service, url = console_hub
    Accounts(service.engine, clock).add("desk", "Harbour", "frontdesk", PASSWORD)
    proxied = {"X-Forwarded-Proto": "https"}
    browser = requests.Session()
    form = browser.get(f"{url}/console/login", headers=proxied)
    assert "Secure" in form.headers["Set-Cookie"]
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    answer = browser.post(
        f"{url}/console/login",
        data={"csrf": csrf.group(1), "login": "desk", "password": PASSWORD},
        headers=proxied,
        cookies={"console_login_csrf": csrf.group(1)},
        allow_redirects=False,
    )
    session_cookie = next(
        c for c in answer.headers["Set-Cookie"].split(", console_") if "console_session=" in c
    )
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie


def test_two_hub_processes_on_one_database_share_sign_ins(hub_db: str, clock: FakeClock) -> None:
    """Both databases (PostgreSQL is what several hub processes share in production)."""
    first, second = hub_service(hub_db, clock), hub_service(hub_db, clock)
    Accounts(first.engine, clock).add("desk", "Harbour", "frontdesk", PASSWORD)
    with serve_hub(first) as one, serve_hub(second) as two:
        browser, answer = _sign_in(one, "desk")
        assert answer.status_code == 303
        token = browser.cookies.get("console_session") or ""
        page = requests.get(f"{two}/console/onsite", cookies={"console_session": token})
        assert page.status_code == 200 and "Harbour" in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        requests.post(
            f"{two}/console/logout",
            data={"csrf": csrf.group(1)},
            cookies={"console_session": token},
            allow_redirects=False,
        )
        gone = browser.get(f"{one}/console/onsite", allow_redirects=False)
        assert gone.status_code == 303  # signed out on the other process too
    first.close()
    second.close()
