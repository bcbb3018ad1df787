"""The privacy and administration pages in a real Chromium: both languages, phone and desktop,
no serious or critical axe-core violation, nothing wider than the screen, touch targets of
44 px, and the main tasks done by keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from kiosk.config import Config
from kiosk.hub.service import HubService
from tests.browser import DESKTOP, PHONE, Browsers, axe_problems, browser_missing
from tests.conftest import FakeClock
from tests.console_users import add_enrolled, next_code
from tests.hub_server import hub_service, serve_hub
from tests.test_console import PASSWORD
from tests.test_console_browser import TEXT_LEFT, _tab_to
from tests.test_site_wide import OTHER, PERSON, SITE, _lobby

pytestmark = pytest.mark.skipif(bool(browser_missing()), reason=browser_missing())
ADMIN_PAGES = ("kiosks", "users", "hosts", "deny", "audit")


@pytest.fixture
def site_hub(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[HubService, str, dict[str, str]]]:
    service = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    with serve_hub(service) as url:
        lobby = _lobby(tmp_path, "lobby-1", url, service, clock)
        lobby.visit(PERSON)
        lobby.visit(OTHER)
        lobby.sync(clock)
        lobby.store.close()
        secrets = {
            "po": add_enrolled(service, clock, "po", SITE, "privacy"),
            "boss": add_enrolled(service, clock, "boss", SITE, "admin"),
        }
        yield service, url, secrets
    service.close()


def _sign_in(browser: WebDriver, url: str, login: str, secret: str, clock: FakeClock) -> None:
    browser.get(f"{url}/console/login")
    browser.find_element(By.ID, "login").send_keys(login)
    browser.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith("/console/totp"))
    browser.find_element(By.ID, "code").send_keys(next_code(secret, clock), Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: not b.current_url.endswith("/console/totp"))


def _looks_right(browser: WebDriver, width: int) -> None:
    assert axe_problems(browser) == []
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    for target in browser.find_elements(
        By.CSS_SELECTOR,
        "button, a.switch, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select",
    ):
        if target.is_displayed():
            assert target.size["height"] >= 44, target.get_attribute("outerHTML")


@pytest.mark.parametrize("language", ["zh-TW", "en"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_privacy_officer_asks_for_a_copy_by_keyboard(
    browsers: Browsers,
    site_hub: tuple[HubService, str, dict[str, str]],
    clock: FakeClock,
    language: str,
    size: tuple[int, int],
) -> None:
    _service, url, secrets = site_hub
    with browsers.open(size, language) as browser:
        _sign_in(browser, url, "po", secrets["po"], clock)
        assert browser.current_url.endswith("/console/privacy")
        _looks_right(browser, size[0])
        _tab_to(browser, "#person-email", limit=30)
        browser.switch_to.active_element.send_keys(PERSON[1], Keys.ENTER)
        WebDriverWait(browser, 10).until(lambda b: "made=" in b.current_url)
        assert browser.find_elements(By.CSS_SELECTOR, ".done[role=status]")
        assert "lobby-1" in browser.find_element(By.CSS_SELECTOR, "ul.kiosks").text
        _looks_right(browser, size[0])


@pytest.mark.parametrize("language", ["zh-TW", "en"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_administration_page_is_axe_clean_and_fits(
    browsers: Browsers,
    site_hub: tuple[HubService, str, dict[str, str]],
    clock: FakeClock,
    language: str,
    size: tuple[int, int],
) -> None:
    _service, url, secrets = site_hub
    with browsers.open(size, language) as browser:
        _sign_in(browser, url, "boss", secrets["boss"], clock)
        for page in ADMIN_PAGES:
            browser.get(f"{url}/console/admin/{page}")
            assert browser.find_element(By.CSS_SELECTOR, "[aria-current=page]")
            _looks_right(browser, size[0])
        browser.get(f"{url}/console/admin/kiosks")
        field = browser.find_element(By.ID, "kiosk-id")
        field.send_keys("lobby-2", Keys.ENTER)  # an enrolment code and its QR, by keyboard
        WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, "img.qr"))
        _looks_right(browser, size[0])
        browser.get(f"{url}/console/admin/deny")
        browser.find_element(By.ID, "deny-name").send_keys("Mallory Intruder")
        browser.find_element(By.ID, "deny-reason").send_keys("threatened staff", Keys.ENTER)
        WebDriverWait(browser, 10).until(lambda b: "done=deny_add" in b.current_url)
        _looks_right(browser, size[0])


@pytest.mark.parametrize("language", ["zh-TW", "en"])
@pytest.mark.parametrize("login", ["boss", "po"])
def test_on_a_phone_sign_out_sits_on_the_title_line_and_the_pages_below(
    browsers: Browsers,
    site_hub: tuple[HubService, str, dict[str, str]],
    clock: FakeClock,
    login: str,
    language: str,
) -> None:
    """With an admin's four pages in the bar, sign-out wrapped onto a line of its own under the
    links; with the privacy officer's one, the title broke over two lines. Now the title, the
    language and sign-out share the first line and the pages take the next."""
    _service, url, secrets = site_hub
    with browsers.open(PHONE, language) as phone:
        _sign_in(phone, url, login, secrets[login], clock)
        brand = phone.find_element(By.CSS_SELECTOR, ".bar .brand")
        sign_out = phone.find_element(By.CSS_SELECTOR, ".bar form button")
        links = phone.find_elements(By.CSS_SELECTOR, ".bar nav a")
        line = 44  # the height of one touch target
        assert brand.size["height"] < line  # one line of text
        brand_middle = brand.location["y"] + brand.size["height"] / 2
        sign_out_middle = sign_out.location["y"] + sign_out.size["height"] / 2
        assert abs(brand_middle - sign_out_middle) < line / 2
        below = sign_out.location["y"] + sign_out.size["height"]
        assert links and all(link.location["y"] >= below for link in links)
        _looks_right(phone, PHONE[0])


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_on_a_desktop_the_pages_in_the_bar_are_evenly_spaced(
    browsers: Browsers,
    site_hub: tuple[HubService, str, dict[str, str]],
    clock: FakeClock,
    language: str,
) -> None:
    """The links were set inline, so the template's line breaks between some of them (and not
    others, where a condition swallowed them) made gaps of 0 and 4 px beside their padding."""
    _service, url, secrets = site_hub
    with browsers.open(DESKTOP, language) as desk:
        _sign_in(desk, url, "boss", secrets["boss"], clock)
        links = desk.find_elements(By.CSS_SELECTOR, ".bar nav a")
        assert len(links) == 4  # on site, evacuation, numbers, administration
        edges = [(link.rect["x"], link.rect["x"] + link.rect["width"]) for link in links]
        gaps = [round(left - right, 1) for (_, right), (left, _) in pairwise(edges)]
        assert max(gaps) - min(gaps) < 1, gaps
        assert len({link.rect["y"] for link in links}) == 1  # on one line


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_on_a_phone_a_users_controls_line_up_under_their_name(
    browsers: Browsers,
    site_hub: tuple[HubService, str, dict[str, str]],
    clock: FakeClock,
    language: str,
) -> None:
    """A user's role, host and buttons wrapped under the name pushed to the right, each line
    starting somewhere else. On a phone they now start under the name, the role and host
    sharing the first line."""
    _service, url, secrets = site_hub
    with browsers.open(PHONE, language) as phone:
        _sign_in(phone, url, "boss", secrets["boss"], clock)
        phone.get(f"{url}/console/admin/users")
        cards = phone.find_elements(By.CSS_SELECTOR, ".roll .person:has(.actions)")
        assert cards
        for card in cards:
            left = card.find_element(By.CSS_SELECTOR, ".name").rect["x"]
            select, host = (card.find_element(By.CSS_SELECTOR, f) for f in ("select", ".short"))
            buttons = card.find_elements(By.CSS_SELECTOR, "button")
            for control in (select, *buttons):
                assert abs(control.rect["x"] - left) < 2, control.get_attribute("outerHTML")
            assert select.rect["y"] == host.rect["y"]
            right = card.rect["x"] + card.rect["width"]
            assert right - (host.rect["x"] + host.rect["width"]) < 20  # to the card's edge


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_on_a_phone_a_host_card_has_no_blank_line_and_edit_starts_under_the_name(
    browsers: Browsers,
    site_hub: tuple[HubService, str, dict[str, str]],
    clock: FakeClock,
    config: Config,
    language: str,
) -> None:
    """A host without a department or company showed a blank line in the middle of its card,
    and the card's Edit stood 8 px in from the name above it (the link's touch padding)."""
    from tests.test_console_browser import TEXT_LEFT

    service, url, secrets = site_hub
    service.import_hosts(SITE, config.hosts)
    with browsers.open(PHONE, language) as phone:
        _sign_in(phone, url, "boss", secrets["boss"], clock)
        phone.get(f"{url}/console/admin/hosts")
        rows = phone.find_elements(By.CSS_SELECTOR, "main tbody tr")
        departments = [
            row.find_elements(By.TAG_NAME, "td")[1].get_attribute("textContent") for row in rows
        ]
        assert "" in departments  # the front desk has none
        for row in rows:
            shown = [cell for cell in row.find_elements(By.TAG_NAME, "td") if cell.is_displayed()]
            assert all(cell.text.strip() for cell in shown), row.get_attribute("outerHTML")
            name = phone.execute_script(TEXT_LEFT, shown[0])
            edit = phone.execute_script(TEXT_LEFT, row.find_element(By.CSS_SELECTOR, "a.switch"))
            assert abs(edit - name) <= 1, (edit, name)


@pytest.mark.parametrize("language", ["zh-TW", "en"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_administration_tabs_start_under_the_heading(
    browsers: Browsers,
    site_hub: tuple[HubService, str, dict[str, str]],
    clock: FakeClock,
    language: str,
    size: tuple[int, int],
) -> None:
    """The tabs' words stood 8 px in from the heading's (their touch padding), the one row of
    links on the console that still did; the current tab's mark is under its words."""
    with browsers.open(size, language) as browser:
        _service, url, secrets = site_hub
        _sign_in(browser, url, "boss", secrets["boss"], clock)
        for page in ("kiosks", "hosts"):
            browser.get(f"{url}/console/admin/{page}")
            heading = browser.execute_script(TEXT_LEFT, browser.find_element(By.TAG_NAME, "h1"))
            tabs = browser.find_elements(By.CSS_SELECTOR, ".subnav a")
            first = browser.execute_script(TEXT_LEFT, tabs[0])
            assert abs(first - heading) <= 1, (page, first, heading)
            current = browser.find_element(By.CSS_SELECTOR, ".subnav a.current")
            mark = browser.execute_script(
                "const link = arguments[0].getBoundingClientRect();"
                " const after = getComputedStyle(arguments[0], '::after');"
                " return [link.left + parseFloat(after.left), link.right - parseFloat(after.right)];",
                current,
            )
            words = browser.execute_script(
                "const range = document.createRange(); range.selectNodeContents(arguments[0]);"
                " const box = range.getBoundingClientRect(); return [box.left, box.right];",
                current,
            )
            assert abs(mark[0] - words[0]) <= 1 and abs(mark[1] - words[1]) <= 1, (mark, words)
