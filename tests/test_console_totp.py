"""The second factor of admin and privacy users: RFC 6238 codes, enrolled by QR at the first
sign-in, asked at every sign-in after, each code good once; front-desk users need none."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from kiosk.hub.accounts import Accounts
from kiosk.hub.service import HubService
from kiosk.hub.totp import code_at, matching_step, step_of
from tests.conftest import FakeClock
from tests.console_users import csrf_of
from tests.test_console import PASSWORD, _sign_in

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of the RFC's "12345678901234567890"


def test_codes_are_the_rfc_6238_test_vectors() -> None:
    vectors = {59: "94287082", 1111111109: "07081804", 1234567890: "89005924"}
    for seconds, expected in vectors.items():
        assert code_at(RFC_SECRET, seconds // 30, digits=8) == expected
    moment = datetime.fromtimestamp(1234567890, UTC)
    code = code_at(RFC_SECRET, step_of(moment))
    assert matching_step(RFC_SECRET, code, moment, last_used=0) == step_of(moment)
    assert matching_step(RFC_SECRET, code, moment, last_used=step_of(moment)) is None  # once
    assert matching_step(RFC_SECRET, "000000x", moment, last_used=0) is None


def test_admins_enrol_by_qr_then_give_a_code_at_every_sign_in(
    console_hub: tuple[HubService, str], clock: FakeClock
) -> None:
    service, url = console_hub
    Accounts(service.engine, clock).add("boss", "Harbour", "admin", PASSWORD)
    browser, answer = _sign_in(url, "boss")
    assert answer.headers["Location"] == "/console/totp"
    # Password alone opens nothing.
    assert browser.get(f"{url}/console/onsite", allow_redirects=False).status_code == 303
    assert browser.get(f"{url}/console/evacuation", allow_redirects=False).status_code == 303
    enrol = browser.get(f"{url}/console/totp?lang=en")
    assert 'src="data:image/png;base64,' in enrol.text and "authenticator" in enrol.text
    key = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', enrol.text)
    assert key is not None
    secret = key.group(1).replace(" ", "")
    wrong = browser.post(
        f"{url}/console/totp", data={"csrf": csrf_of(enrol.text), "code": "000000"}
    )
    assert "not right" in wrong.text
    code = code_at(secret, step_of(clock()))
    done = browser.post(f"{url}/console/totp", data={"csrf": csrf_of(enrol.text), "code": code})
    assert done.url.endswith("/console/onsite") and done.status_code == 200

    again, answer = _sign_in(url, "boss")  # a new sign-in: the code is asked, no QR
    page = again.get(f"{url}/console/totp?lang=en")
    assert "data:image/png" not in page.text
    reused = again.post(f"{url}/console/totp", data={"csrf": csrf_of(page.text), "code": code})
    assert "already used" in reused.text  # the same code does not work twice
    clock.advance(seconds=30)
    fresh = code_at(secret, step_of(clock()))
    ok = again.post(f"{url}/console/totp", data={"csrf": csrf_of(page.text), "code": fresh})
    assert ok.url.endswith("/console/onsite")


def test_front_desk_users_need_no_second_factor(
    console_hub: tuple[HubService, str], clock: FakeClock
) -> None:
    service, url = console_hub
    Accounts(service.engine, clock).add("desk", "Harbour", "frontdesk", PASSWORD)
    _browser, answer = _sign_in(url, "desk")
    assert answer.headers["Location"] == "/console/onsite"
