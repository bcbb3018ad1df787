"""The console in a real Chromium against a real hub on 127.0.0.1: sign in by keyboard alone,
read who is on site on a phone and a desktop, in both languages, with no serious or critical
axe-core violation on any page."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from kiosk.config import Config
from kiosk.hub.accounts import Accounts
from kiosk.hub.service import HubService
from tests.browser import DESKTOP, PHONE, Browsers, axe_problems, browser_missing
from tests.conftest import FakeClock
from tests.hub_server import hub_service, serve_hub
from tests.test_console import PASSWORD, _kiosk_visit

pytestmark = pytest.mark.skipif(bool(browser_missing()), reason=browser_missing())


@pytest.fixture
def site_hub(tmp_path: Path, clock: FakeClock, config: Config) -> Iterator[str]:
    service: HubService = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    with serve_hub(service) as url:
        _kiosk_visit(service, url, config, "Harbour", "harbour-1", "陳雅婷 Amy Chen", clock)
        Accounts(service.engine, clock).add("desk", "Harbour", "frontdesk", PASSWORD)
        Accounts(service.engine, clock).add("boss", "Harbour", "admin", PASSWORD)
        Accounts(service.engine, clock).add("jimmy", "Harbour", "host", PASSWORD, host_id="h-lin")
        service.import_hosts("Harbour", config.hosts)
        yield url
    service.close()


@pytest.mark.parametrize("language", ["zh-TW", "en"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_sign_in_by_keyboard_and_every_page_is_axe_clean(
    browsers: Browsers, site_hub: str, language: str, size: tuple[int, int]
) -> None:
    with browsers.open(size, language) as browser:
        browser.get(f"{site_hub}/console")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
        assert axe_problems(browser) == []
        field = browser.switch_to.active_element
        for _ in range(6):  # Tab from the top of the page to the login field
            if field.get_attribute("id") == "login":
                break
            field.send_keys(Keys.TAB)
            field = browser.switch_to.active_element
        assert field.get_attribute("id") == "login"
        field.send_keys("desk", Keys.TAB)
        browser.switch_to.active_element.send_keys(PASSWORD, Keys.ENTER)
        WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith("/console/onsite"))
        assert "陳雅婷 Amy Chen" in browser.page_source
        assert axe_problems(browser) == []
        for button in browser.find_elements(
            By.CSS_SELECTOR, "button, a.switch, input:not([type=hidden])"
        ):
            assert button.size["height"] >= 44, button.get_attribute("outerHTML")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= size[0]
        browser.get(f"{site_hub}/console/numbers")
        assert browser.find_elements(By.CSS_SELECTOR, "svg rect.bar")
        assert axe_problems(browser) == []
        assert browser.execute_script("return document.documentElement.scrollWidth") <= size[0]
        shown = browser.execute_script(  # the chart's labels a reader sees, as drawn
            "const svg = document.querySelector('figure.chart svg');"
            " const chart = svg.getBoundingClientRect(); const scale = svg.getScreenCTM().a;"
            " return [...svg.querySelectorAll('text')]"
            ".filter(label => getComputedStyle(label).display !== 'none')"
            ".map(label => { const box = label.getBoundingClientRect(); return {"
            " kind: label.getAttribute('class'), text: label.textContent,"
            " left: box.left, right: box.right, top: box.top, bottom: box.bottom,"
            " inside: label.getBBox().y >= 0 && box.top >= chart.top && box.bottom <= chart.bottom,"
            " px: parseFloat(getComputedStyle(label).fontSize) * scale }; });"
        )
        assert shown
        assert [label["text"] for label in shown if not label["inside"]] == []  # none cut off
        assert min(label["px"] for label in shown) >= 10  # readable on a phone too
        overlapping = [  # no two labels touch: along a row, nor a count and its day
            (one["text"], other["text"])
            for n, one in enumerate(shown)
            for other in shown[n + 1 :]
            if one["left"] < other["right"] and other["left"] < one["right"]
            and one["top"] < other["bottom"] and other["top"] < one["bottom"]
        ]  # fmt: skip
        assert overlapping == []


def _browser_sign_in(browser: object, url: str, login: str, password: str) -> None:
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    browser.get(f"{url}/console/login")
    browser.find_element(By.ID, "login").send_keys(login)
    browser.find_element(By.ID, "password").send_keys(password, Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith("/console/onsite"))


def test_a_browser_handed_to_the_next_test_carries_nothing_of_the_last(
    browsers: Browsers, site_hub: str
) -> None:
    """The tests share Chromiums (``Browsers``): the next one must find it as a new one, not
    signed in, with no page's storage and on a blank page, or it would test the wrong thing."""
    with browsers.open(PHONE, "en") as first:
        _browser_sign_in(first, site_hub, "desk", PASSWORD)
        first.execute_script("localStorage.setItem('left', 'behind');")
        first.execute_script("sessionStorage.setItem('left', 'behind');")
        first.switch_to.new_window("tab")
    with browsers.open(PHONE, "en") as second:
        assert second is first  # handed on, not started anew
        assert second.current_url == "about:blank" and len(second.window_handles) == 1
        assert second.get_cookies() == []
        second.get(f"{site_hub}/console/onsite")
        assert urlsplit(second.current_url).path == "/console/login"  # signed out
        assert second.execute_script("return localStorage.getItem('left');") is None
        assert second.execute_script("return sessionStorage.getItem('left');") is None


def test_on_a_desktop_each_on_site_row_reads_level_with_its_check_out_button(
    browsers: Browsers,
    site_hub: str,
) -> None:
    """The table's text sat at the top of each row while its 44 px button sat lower, so the
    name and the button of one visitor did not line up."""
    with browsers.open(DESKTOP, "en") as desk:
        _browser_sign_in(desk, site_hub, "desk", PASSWORD)
        row = desk.find_element(By.CSS_SELECTOR, "tbody tr")
        name_cell = row.find_element(By.CSS_SELECTOR, "td")
        button = row.find_element(By.CSS_SELECTOR, "button")
        text_top, text_bottom = desk.execute_script(
            "const range = document.createRange(); range.selectNodeContents(arguments[0]);"
            " const box = range.getBoundingClientRect(); return [box.top, box.bottom];",
            name_cell,
        )
        button_box = desk.execute_script(
            "const box = arguments[0].getBoundingClientRect(); return [box.top, box.bottom];",
            button,
        )
        assert abs((text_top + text_bottom) / 2 - sum(button_box) / 2) <= 3


@pytest.mark.parametrize("language", ["zh-TW", "en"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_each_detail_of_a_visitor_on_site_says_what_it_is(
    browsers: Browsers, site_hub: str, language: str, size: tuple[int, int]
) -> None:
    """On a phone the table's heads are hidden and a visitor's host, time, minutes and kiosk
    stood one under another as bare values ("05:36", "0 min", "lobby-1"). Each now carries its
    column's name there; on a desktop the heads say it once, above."""
    with browsers.open(size, language) as browser:
        _browser_sign_in(browser, site_hub, "desk", PASSWORD)
        heads = [
            th.get_attribute("textContent") for th in browser.find_elements(By.CSS_SELECTOR, "th")
        ]
        cells = browser.find_elements(By.CSS_SELECTOR, "tbody tr:first-child td")
        for head, cell in zip(heads[1:5], cells[1:5], strict=True):
            assert head
            assert cell.text.startswith(head) == (size == PHONE), (head, cell.text)


def test_on_a_phone_every_tick_of_the_roll_call_sits_in_one_column(
    browsers: Browsers, tmp_path: Path, clock: FakeClock, config: Config
) -> None:
    """A long name wrapped its card and put that card's tick button on a line of its own, so a
    marshal going down the list had to look for each button; now every button sits at the right,
    level with its name, whatever the name's length."""
    service: HubService = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    with serve_hub(service) as url:
        _kiosk_visit(service, url, config, "Harbour", "harbour-1", "王小明 Ming Wang", clock)
        long_name = "Alexandra Montgomery-Smith Wolfeschlegelsteinhausen"
        _kiosk_visit(service, url, config, "Harbour", "harbour-2", long_name, clock)
        Accounts(service.engine, clock).add("desk", "Harbour", "frontdesk", PASSWORD)
        with browsers.open(PHONE, "en") as phone:
            _browser_sign_in(phone, url, "desk", PASSWORD)
            phone.get(f"{url}/console/evacuation")
            phone.find_element(By.CSS_SELECTOR, "form[action$='/start'] button").click()
            WebDriverWait(phone, 10).until(
                lambda b: len(b.find_elements(By.CSS_SELECTOR, "li.person")) == 2
            )
            cards = phone.find_elements(By.CSS_SELECTOR, "li.person")
            lefts = set()
            for card in cards:
                name = card.find_element(By.CSS_SELECTOR, ".name")
                button = card.find_element(By.CSS_SELECTOR, "button")
                lefts.add(button.location["x"])
                assert name.location["x"] + name.size["width"] <= button.location["x"]
                assert button.location["y"] < name.location["y"] + name.size["height"] + 60
    service.close()
    assert len(lefts) == 1, lefts


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_a_roll_call_ticked_from_two_phones_converges_within_two_seconds(
    browsers: Browsers, site_hub: str, language: str
) -> None:
    with browsers.open(PHONE, language) as one, browsers.open(PHONE, language) as two:
        _browser_sign_in(one, site_hub, "desk", PASSWORD)
        _browser_sign_in(two, site_hub, "desk", PASSWORD)
        one.get(f"{site_hub}/console/evacuation")
        assert axe_problems(one) == []
        one.find_element(By.CSS_SELECTOR, "form[action$='/start'] button").click()
        WebDriverWait(one, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, "li.person"))
        two.get(f"{site_hub}/console/evacuation")
        assert axe_problems(two) == []
        people = two.find_elements(By.CSS_SELECTOR, "li.person")
        assert len(people) == 1 and "陳雅婷 Amy Chen" in people[0].text
        button = two.find_element(By.CSS_SELECTOR, "li.person button")
        assert button.size["height"] >= 44 and button.size["width"] >= 44
        button.click()  # ticked on phone two ...
        WebDriverWait(one, 2).until(  # ... and seen on phone one within two seconds
            lambda b: (
                "ticked" in b.find_element(By.CSS_SELECTOR, "li.person").get_attribute("class")
            )
        )
        assert "desk" in one.find_element(By.CSS_SELECTOR, "li.person .tick-state").text
        one.find_element(By.CSS_SELECTOR, "li.person button").click()  # undone on phone one
        WebDriverWait(two, 2).until(
            lambda b: (
                "ticked" not in b.find_element(By.CSS_SELECTOR, "li.person").get_attribute("class")
            )
        )


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_the_second_factor_page_is_axe_clean_and_shows_the_enrolment_qr(
    browsers: Browsers, site_hub: str, language: str
) -> None:
    with browsers.open(PHONE, language) as browser:
        browser.get(f"{site_hub}/console/login")
        browser.find_element(By.ID, "login").send_keys("boss")
        browser.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
        WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith("/console/totp"))
        qr = browser.find_element(By.CSS_SELECTOR, "img.qr")
        assert qr.get_attribute("alt") and qr.size["width"] >= 150
        assert axe_problems(browser) == []
        assert browser.execute_script("return document.documentElement.scrollWidth") <= PHONE[0]


def _tab_to(browser: object, css: str, limit: int = 20) -> None:
    """Press Tab from the top of the page until ``css`` has focus."""
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    wanted = browser.find_element(By.CSS_SELECTOR, css)
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    for _ in range(limit):
        if browser.switch_to.active_element == wanted:
            return
        browser.switch_to.active_element.send_keys(Keys.TAB)
    raise AssertionError(f"Tab never reached {css}")


def test_the_roll_call_works_by_keyboard_alone(browsers: Browsers, site_hub: str) -> None:
    with browsers.open(DESKTOP, "en") as browser:
        _browser_sign_in(browser, site_hub, "desk", PASSWORD)
        browser.get(f"{site_hub}/console/evacuation")
        _tab_to(browser, "form[action$='/start'] button")
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, "li.person"))
        _tab_to(browser, "li.person button")
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        WebDriverWait(browser, 2).until(
            lambda b: (
                "ticked" in b.find_element(By.CSS_SELECTOR, "li.person").get_attribute("class")
            )
        )
        _tab_to(browser, "form[action$='/close'] button")
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        WebDriverWait(browser, 10).until(lambda b: "Roll call closed" in b.page_source)


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_front_desk_and_host_tasks_by_keyboard_alone(
    browsers: Browsers, site_hub: str, language: str
) -> None:
    """Check a guest out (front desk), then invite and cancel a guest and sign out (host), with
    Tab, typing and Enter only; every page on the way axe clean."""
    with browsers.open(DESKTOP, language) as browser:
        _browser_sign_in(browser, site_hub, "desk", PASSWORD)
        assert axe_problems(browser) == []
        _tab_to(browser, "form[action$='/onsite/checkout'] button")
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        WebDriverWait(browser, 10).until(lambda b: "done=1" in b.current_url)
        assert not browser.find_elements(By.CSS_SELECTOR, "form[action$='/onsite/checkout']")
        assert axe_problems(browser) == []
    with browsers.open(DESKTOP, language) as browser:
        _browser_sign_in(browser, site_hub, "jimmy", PASSWORD)
        browser.get(f"{site_hub}/console/visitors")
        assert axe_problems(browser) == []
        _tab_to(browser, "#guest-name", limit=30)
        browser.switch_to.active_element.send_keys("Keyboard Guest", Keys.TAB)
        browser.switch_to.active_element.send_keys("keyboard.guest@example.org", Keys.ENTER)
        WebDriverWait(browser, 10).until(lambda b: "invited=1" in b.current_url)
        assert "Keyboard Guest" in browser.page_source
        assert axe_problems(browser) == []
        _tab_to(browser, "form[action$='/visitors/cancel'] button", limit=30)
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        WebDriverWait(browser, 10).until(
            lambda b: b.find_elements(By.CSS_SELECTOR, "li.person.cancelled")
        )
        _tab_to(browser, "form[action$='/logout'] button")
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith("/console/login"))


TEXT_LEFT = (
    "const range = document.createRange(); range.selectNodeContents(arguments[0]);"
    " return range.getClientRects()[0].left;"
)


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_download_links_start_level_with_the_page_they_belong_to(
    browsers: Browsers, site_hub: str, language: str
) -> None:
    """On a phone "Download CSV" and the roll call's PDF and CSV links stood 8 px in from the
    left edge every heading, card and button keeps (their touch padding), and the roll call's
    two links were apart by a stray space only."""
    with browsers.open(PHONE, language) as phone:
        _browser_sign_in(phone, site_hub, "desk", PASSWORD)
        phone.get(f"{site_hub}/console/evacuation")
        phone.find_element(By.CSS_SELECTOR, "form[action$='/start'] button").click()
        WebDriverWait(phone, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, "li.person"))
        for page in ("/console/evacuation", "/console/numbers"):
            phone.get(f"{site_hub}{page}")
            heading = phone.execute_script(TEXT_LEFT, phone.find_element(By.TAG_NAME, "h1"))
            links = phone.find_elements(
                By.CSS_SELECTOR, "main a[href*='csv'], main a[href$='.pdf']"
            )
            assert links, page
            first = phone.execute_script(TEXT_LEFT, links[0])
            assert abs(first - heading) <= 1, (page, first, heading)
            for before, after in pairwise(links):
                gap = after.location["x"] - (before.location["x"] + before.size["width"])
                same_line = after.location["y"] == before.location["y"]
                assert not same_line or gap >= 8, (page, gap)


@pytest.mark.parametrize("language", ["zh-TW", "en"])
@pytest.mark.parametrize("width", [PHONE[0], DESKTOP[0], 1920], ids=["phone", "desktop", "wide"])
def test_the_bar_lines_up_with_the_page_at_every_width(
    browsers: Browsers, site_hub: str, language: str, width: int
) -> None:
    """On a desktop the console's name stood at the window's edge and the sign-out button at
    the other, while every page keeps to a centred column: the bar's contents now keep to it."""
    with browsers.open((width, DESKTOP[1]), language) as browser:
        _browser_sign_in(browser, site_hub, "desk", PASSWORD)
        browser.get(f"{site_hub}/console/onsite")
        brand = browser.execute_script(TEXT_LEFT, browser.find_element(By.CLASS_NAME, "brand"))
        heading = browser.execute_script(TEXT_LEFT, browser.find_element(By.TAG_NAME, "h1"))
        assert abs(brand - heading) <= 1, (brand, heading)
        column_right = browser.execute_script(
            "const main = document.querySelector('main');"
            " return main.getBoundingClientRect().right"
            " - parseFloat(getComputedStyle(main).paddingRight);"
        )
        sign_out = browser.find_element(By.CSS_SELECTOR, "form[action$='/logout'] button")
        right = sign_out.location["x"] + sign_out.size["width"]
        assert abs(right - column_right) <= 1, (right, column_right)
