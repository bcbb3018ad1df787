"""Console users for tests, with their second factor already enrolled (admin and privacy roles
need one): sign in over plain HTTP (``requests``) or in Chromium, code included."""

from __future__ import annotations

import re
from typing import Any

import requests

from kiosk.hub.accounts import Accounts
from kiosk.hub.service import HubService
from kiosk.hub.totp import code_at, new_secret, step_of
from tests.conftest import FakeClock
from tests.test_console import PASSWORD, _sign_in


def csrf_of(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found is not None, "no form on the page"
    return found.group(1)


def add_enrolled(service: HubService, clock: FakeClock, login: str, site: str, role: str) -> str:
    """A user whose authenticator is enrolled; returns its secret."""
    accounts = Accounts(service.engine, clock)
    accounts.add(login, site, role, PASSWORD)
    secret = new_secret()
    assert accounts.use_totp_step(login, step_of(clock()), enrol_secret=secret)
    return secret


def next_code(secret: str, clock: FakeClock) -> str:
    """A code not used before: the clock moves on one 30-second step."""
    clock.advance(seconds=30)
    return code_at(secret, step_of(clock()))


def signed_in(url: str, login: str, secret: str, clock: FakeClock) -> requests.Session:
    browser, answer = _sign_in(url, login)
    browser.headers["Accept-Language"] = "en"
    assert answer.headers["Location"] == "/console/totp"
    page = browser.get(f"{url}/console/totp")
    done = browser.post(
        f"{url}/console/totp", data={"csrf": csrf_of(page.text), "code": next_code(secret, clock)}
    )
    assert done.status_code == 200, done.text
    return browser


def post_form(
    browser: requests.Session, url: str, page: str, action: str, **fields: Any
) -> requests.Response:
    """Load ``page``, then post ``fields`` with its CSRF token to ``action``."""
    shown = browser.get(f"{url}{page}")
    return browser.post(f"{url}{action}", data={"csrf": csrf_of(shown.text), **fields})
