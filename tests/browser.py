"""A real Chromium for the console tests: Debian's chromium and chromium-driver, headless, driven
by Selenium, with its own empty profile and no background traffic (nothing leaves 127.0.0.1).
axe-core (vendored in tests/vendor) checks each page for accessibility problems."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
PHONE = (390, 844)
DESKTOP = (1280, 900)


def browser_missing() -> str:
    """Why no browser test can run here, or ""."""
    for need in (CHROMIUM, CHROMEDRIVER):
        if not need.exists():
            return f"{need} missing: apt-get install chromium chromium-driver"
    return ""


Window = tuple[tuple[int, int], str]  # a browser's window size and language


def _launch(size: tuple[int, int], language: str) -> tuple[webdriver.Chrome, Path]:
    profile = Path(tempfile.mkdtemp(prefix="kiosk-chromium-"))
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        f"--window-size={size[0]},{size[1]}",
        f"--lang={language}",
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    if size[0] < 500:  # narrower than a desktop window may be: emulate the phone's screen
        metrics = {"width": size[0], "height": size[1], "pixelRatio": 3.0, "touch": True}
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    return webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER))), profile


class Browsers:
    """Chromiums kept for the session, by window size and language, each handed to one test at a
    time and wiped in between (cookies, cache, every origin's storage, back to a blank page).
    Started anew for each test, Chromium cost 0.7-1.8 s a test, about a minute of the suite.
    One that cannot be wiped (a test left it broken) is quit, and the next test gets a new one."""

    def __init__(self) -> None:
        self._idle: dict[Window, list[tuple[webdriver.Chrome, Path]]] = {}

    @contextmanager
    def open(
        self, size: tuple[int, int] = DESKTOP, language: str = "en"
    ) -> Iterator[webdriver.Chrome]:
        idle = self._idle.setdefault((size, language), [])
        driver, profile = idle.pop() if idle else _launch(size, language)
        try:
            yield driver
        except BaseException:
            _quit(driver, profile)
            raise
        if _wiped(driver):
            idle.append((driver, profile))
        else:
            _quit(driver, profile)

    def close(self) -> None:
        for idle in self._idle.values():
            while idle:
                _quit(*idle.pop())


def _wiped(driver: webdriver.Chrome) -> bool:
    """Whether ``driver`` is as a new one would be, as far as a page can tell."""
    try:
        while len(driver.window_handles) > 1:
            driver.switch_to.window(driver.window_handles[-1])
            driver.close()
        driver.switch_to.window(driver.window_handles[0])
        driver.get("about:blank")
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        # Every origin's cookies, local and session storage, IndexedDB and the like.
        driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": "*", "storageTypes": "all"})
    except WebDriverException:
        return False
    return not driver.get_cookies()


def _quit(driver: webdriver.Chrome, profile: Path) -> None:
    try:
        driver.quit()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def axe_problems(driver: webdriver.Chrome) -> list[str]:
    """Serious and critical axe-core violations on the page now shown."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r)).catch(e => done({error: String(e)}));"
    )
    assert "error" not in result, result
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
