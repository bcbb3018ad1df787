"""The whole invitation path, with everything real: a host invites a guest in Chromium, the hub
mails the guest (a real SMTP server on 127.0.0.1) the code, its QR and a calendar entry, the kiosk
fetches the invitation on its sync, the guest checks in there with the code, and the host's
"arrived" list and the front desk's on-site list both show the guest."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from kiosk import invitations
from kiosk.checkin import CheckinRequest
from kiosk.config import Config
from kiosk.denylist import DenyList
from kiosk.hub.accounts import Accounts
from kiosk.hub.service import HubService
from kiosk.hub_client import HubClient
from kiosk.models import CheckinForm
from kiosk.records import replace
from kiosk.site import Site
from kiosk.sync import exchange, sync_once
from tests.browser import PHONE, Browsers, axe_problems, browser_missing
from tests.conftest import FakeClock
from tests.hub_server import hub_service, serve_hub
from tests.receivers import SmtpServer
from tests.test_console import PASSWORD, _sign_in

pytestmark = pytest.mark.skipif(bool(browser_missing()), reason=browser_missing())
GUEST_EMAIL = "grace.guest@example.org"


@pytest.fixture
def invited_site(
    tmp_path: Path, clock: FakeClock, config: Config, smtp: SmtpServer
) -> Iterator[tuple[HubService, str, Config]]:
    service = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    mail = f"mailto://127.0.0.1:{smtp.port}?from=hub@example.com"
    with serve_hub(service, mail_url=mail) as url:
        service.import_hosts("Harbour", config.hosts)
        kiosk = replace(
            config,
            site_name="Harbour",
            kiosk_id="harbour-1",
            hub_url=url,
            hub_token=service.add_kiosk("harbour-1", "Harbour"),
            sync_fields=(*config.sync_fields, "name"),
        )
        accounts = Accounts(service.engine, clock)
        accounts.add("jimmy", "Harbour", "host", PASSWORD, host_id="h-lin")
        accounts.add("desk", "Harbour", "frontdesk", "salt-wind-front-door")
        yield service, url, kiosk
    service.close()


def test_a_host_invites_in_the_browser_and_the_guest_checks_in_with_the_code_at_a_kiosk(
    browsers: Browsers,
    invited_site: tuple[HubService, str, Config],
    smtp: SmtpServer,
    clock: FakeClock,
) -> None:
    _service, url, kiosk = invited_site
    with browsers.open(PHONE, "en") as browser:
        browser.get(f"{url}/console/login")
        browser.find_element(By.ID, "login").send_keys("jimmy")
        browser.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
        WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith("/console/onsite"))
        browser.get(f"{url}/console/visitors")
        assert axe_problems(browser) == []
        browser.find_element(By.ID, "guest-name").send_keys("Grace Invited")
        browser.find_element(By.ID, "guest-email").send_keys(GUEST_EMAIL)
        Select(browser.find_element(By.ID, "language")).select_by_value("en")  # the guest's
        browser.find_element(By.CSS_SELECTOR, "form[action$='/invite'] button").click()
        WebDriverWait(browser, 10).until(lambda b: "invited=1" in b.current_url)
        assert (
            "Grace Invited"
            in browser.find_element(By.ID, "expected-title").find_element(By.XPATH, "..").text
        )

        (mail,) = [m for m in smtp.mailbox.messages if GUEST_EMAIL in (m["To"] or "")]
        body = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
        text = body.get_payload(decode=True).decode()
        code = re.search(r"enter ([A-Z2-9]{8})", text)
        assert code is not None, text
        assert code is not None
        names = sorted(p.get_filename() or "" for p in mail.walk() if p.get_filename())
        assert names == ["invitation-code.png", "invitation.ics"]
        ics = next(p for p in mail.walk() if p.get_filename() == "invitation.ics")
        calendar = ics.get_payload(decode=True).decode()
        assert "BEGIN:VTIMEZONE" in calendar and code.group(1) in calendar

        desk, _ = _sign_in(url, "desk", "salt-wind-front-door")
        before = desk.get(f"{url}/console/onsite?lang=en").text
        assert "Expected today" in before and "Grace Invited → 林志明 Jimmy Lin" in before

        with Site.open(kiosk, clock) as site:
            client = HubClient(url, kiosk.hub_token)
            shared = exchange(
                site.store, kiosk, client, DenyList(site.store, kiosk.keys_dir).key_id, clock()
            )
            assert shared.invitations == 1
            found = invitations.find(site.store, code.group(1), clock(), kiosk.zone)
            assert (found.name, found.email, found.host_id) == (
                "Grace Invited",
                GUEST_EMAIL,
                "h-lin",
            )
            form = CheckinForm(found.name, found.email, "meeting", found.host_id, "en")
            result = site.checkin.submit(
                CheckinRequest(form, site.checkin.current_notice("en"), invitation_code=found.code)
            )
            assert result.invitation_used
            sync_once(site.store, kiosk, client, clock())

        browser.get(f"{url}/console/visitors")
        arrived = browser.find_element(By.ID, "arrived-title").find_element(By.XPATH, "..").text
        assert "Grace Invited" in arrived
        assert axe_problems(browser) == []

    assert "Grace Invited" in desk.get(f"{url}/console/onsite").text
