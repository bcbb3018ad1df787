"""Screenshots of every page of the hub's web console, at phone and desktop width, for the README
(``make demo`` runs this after the kiosk's own demo). A throw-away hub on SQLite with a demo
kiosk syncing guests to it, driven in Debian's Chromium like the browser tests."""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.records import replace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from kiosk.config import load_config  # noqa: E402
from kiosk.hub.accounts import Accounts  # noqa: E402
from kiosk.hub.admin_directory import Directory  # noqa: E402
from kiosk.hub.admin_site import SiteAdmin  # noqa: E402
from kiosk.hub.audit_trail import check_in_full  # noqa: E402
from kiosk.hub.console import words_for_language  # noqa: E402
from kiosk.hub.console_evacuation import sheet_words  # noqa: E402
from kiosk.hub.hub_invitations import HubInvitations  # noqa: E402
from kiosk.hub.rights_desk import RightsDesk  # noqa: E402
from kiosk.hub.rollcall_pdf import font, roll_call_sheet  # noqa: E402
from kiosk.hub.rollcalls import RollCalls  # noqa: E402
from kiosk.hub.service import HubService  # noqa: E402
from kiosk.hub.totp import code_at, new_secret, step_of  # noqa: E402
from kiosk.hub_client import HubClient  # noqa: E402
from kiosk.roll_sheet import sheet_pages  # noqa: E402
from kiosk.site import Site  # noqa: E402
from kiosk.site_sync import share_with_site  # noqa: E402
from kiosk.sync import sync_once  # noqa: E402
from kiosk.timeutil import to_db, utc_now  # noqa: E402
from tests.browser import DESKTOP, PHONE, Browsers, browser_missing  # noqa: E402
from tests.conftest import make_form  # noqa: E402
from tests.hub_server import hub_service, serve_hub  # noqa: E402

PASSWORD = "lantern-tide-at-dusk"  # noqa: S105 -- a throw-away demo hub
GUESTS = ("陳大文", "Alexandra Montgomery-Smith", "王小明 Ming Wang")


def _sign_in(browser: WebDriver, url: str, login: str) -> None:
    browser.get(f"{url}/console/login")
    browser.find_element(By.ID, "login").send_keys(login)
    browser.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: "/console/login" not in b.current_url)


class DemoClock:
    """The hub's clock: now, moved on 30 s before each second-step sign-in, because an
    authenticator code works once and the demo signs the same user in twice."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return utc_now() + self.ahead

    def next_code(self, secret: str) -> str:
        self.ahead += timedelta(seconds=30)
        return code_at(secret, step_of(self()))


CLOCK = DemoClock()


def _sign_in_with_code(browser: WebDriver, url: str, login: str, secret: str) -> None:
    _sign_in(browser, url, login)
    code = CLOCK.next_code(secret)
    browser.find_element(By.ID, "code").send_keys(code, Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: "/console/totp" not in b.current_url)


def _enrolled(accounts: Accounts, login: str, site: str, role: str) -> str:
    """An admin or privacy user whose authenticator is set up."""
    accounts.add(login, site, role, PASSWORD)
    secret = new_secret()
    accounts.use_totp_step(login, step_of(CLOCK()), enrol_secret=secret)
    return secret


def _shoot(browser: WebDriver, out: Path, name: str) -> Path:
    height = browser.execute_script("return document.documentElement.scrollHeight")
    width = browser.execute_script("return window.innerWidth")
    browser.set_window_size(max(width, 500), min(int(height) + 120, 2400))
    target = out / f"{name}.png"
    browser.save_screenshot(str(target))
    return target


def _screenshots(url: str, out: Path, boss: str, officer: str) -> list[Path]:
    """Every page at phone width in Chinese and at desktop width in English."""
    browsers = Browsers()  # each handed out signed out and emptied, as a new one would be
    try:
        return _every_page(browsers, url, out, boss, officer)
    finally:
        browsers.close()


def _every_page(browsers: Browsers, url: str, out: Path, boss: str, officer: str) -> list[Path]:
    written: list[Path] = []
    for size, language in ((PHONE, "zh-TW"), (DESKTOP, "en")):
        width = "phone" if size == PHONE else "desktop"
        with browsers.open(size, language) as browser:
            browser.get(f"{url}/console/login")
            written.append(_shoot(browser, out, f"{width}-{language}-login"))
            _sign_in(browser, url, "mei.chen")
            for page in ("onsite", "evacuation", "numbers"):
                browser.get(f"{url}/console/{page}")
                written.append(_shoot(browser, out, f"{width}-{language}-{page}"))
        with browsers.open(size, language) as browser:
            _sign_in(browser, url, "jimmy")
            browser.get(f"{url}/console/visitors")
            written.append(_shoot(browser, out, f"{width}-{language}-visitors"))
        with browsers.open(size, language) as browser:
            _sign_in(browser, url, "boss")
            written.append(_shoot(browser, out, f"{width}-{language}-second-step"))
        with browsers.open(size, language) as browser:
            _sign_in_with_code(browser, url, "boss", boss)
            for page in ("kiosks", "users", "hosts", "deny", "audit"):
                browser.get(f"{url}/console/admin/{page}")
                written.append(_shoot(browser, out, f"{width}-{language}-admin-{page}"))
        with browsers.open(size, language) as browser:
            _sign_in_with_code(browser, url, "privacy.officer", officer)
            written.append(_shoot(browser, out, f"{width}-{language}-privacy"))
    return written


def _sheet(service: HubService, roll_call_id: str, site: str, out: Path) -> Path:
    """The roll call's first A4 page as the console's PDF draws it, at half its 300 dpi."""
    roll_call = RollCalls(service, utc_now).get(site, roll_call_id)
    assert roll_call is not None
    titles = sheet_words(words_for_language("en"), roll_call)
    page = sheet_pages(roll_call_sheet(roll_call, titles, load_config(env={}).zone), font)[0]
    target = out / "desktop-en-roll-call-sheet.png"
    page.resize((page.width // 2, page.height // 2)).save(target)
    return target


def run(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="console-demo-") as folder:
        base = load_config(env={})
        service = hub_service(f"sqlite:///{folder}/hub.db", CLOCK)
        with serve_hub(service) as url:
            site_name = base.site_name
            service.import_hosts(site_name, base.hosts)
            token = service.add_kiosk("lobby-1", site_name)
            kiosk = replace(
                base,
                data_dir=Path(folder) / "kiosk",
                hub_url=url,
                hub_token=token,
                sync_fields=(*base.sync_fields, "name"),
            )
            with Site.open(kiosk) as site:
                for name in GUESTS:
                    form = make_form(name=name, host_id="h-lin")
                    site.checkin.check_in(form, site.checkin.current_notice("en"))
                client = HubClient(url, token)
                sync_once(site.store, kiosk, client, utc_now())
                share_with_site(site.store, kiosk, client, site.deny_list, site.keys, utc_now())
            desk = RightsDesk(service)
            desk.request(site_name, "erase", "someone@example.com", "privacy.officer")
            desk.request(site_name, "export", "guest@example.com", "privacy.officer")
            service.add_kiosk("lobby-2", site_name)
            admin = SiteAdmin(service)
            admin.add_deny(site_name, "Mallory Example", "", "threatened staff", 90, "boss")
            Directory(service).save_company(site_name, "acme", "Acme Trading Co.", "boss")
            accounts = Accounts(service.engine, utc_now)
            accounts.add("mei.chen", site_name, "frontdesk", PASSWORD)
            accounts.add("jimmy", site_name, "host", PASSWORD, host_id="h-lin")
            boss = _enrolled(accounts, "boss", site_name, "admin")
            officer = _enrolled(accounts, "privacy.officer", site_name, "privacy")
            now = utc_now().astimezone(base.zone)
            start = now.replace(second=0, microsecond=0)
            end = start.replace(hour=23, minute=59)
            if end <= start:  # a demo run at one minute to midnight: invite for tomorrow
                start, end = start + timedelta(hours=10), start + timedelta(hours=12)
            HubInvitations(service.engine, utc_now).create(
                site_name,
                "h-lin",
                "Grace Invited",
                "grace@example.org",
                (start.date(), start.time(), end.time()),
                "en",
                "jimmy",
                base.zone,
            )
            roll_call = RollCalls(service, utc_now).start(site_name, "mei.chen")
            RollCalls(service, utc_now).tick(
                site_name, roll_call.roll_call_id, roll_call.people[0].visit_id, "mei.chen", True
            )
            check_in_full(service.engine, to_db(utc_now()))  # as the hub's upkeep does hourly
            written.append(_sheet(service, roll_call.roll_call_id, site_name, out))
            written += _screenshots(url, out, boss, officer)
        service.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo-output/console"))
    args = parser.parse_args()
    missing = browser_missing()
    if missing:
        print(f"console screenshots skipped: {missing}", file=sys.stderr)
        return 0
    for path in run(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
