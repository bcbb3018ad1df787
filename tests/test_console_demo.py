"""``make demo``'s second half: the console's screenshots, run as ``make demo`` runs it. It once
failed on its first line for a week (a helper it imported from the browser tests was renamed),
and nothing in the suite ran it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import browser_missing

pytestmark = pytest.mark.skipif(bool(browser_missing()), reason=browser_missing())
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "console_demo.py"
PAGES = ("login", "onsite", "evacuation", "numbers", "visitors", "second-step", "privacy")
ADMIN = ("kiosks", "users", "hosts", "deny", "audit")


def test_make_demo_draws_every_console_page_at_both_widths(tmp_path: Path) -> None:
    ran = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    expected = {"desktop-en-roll-call-sheet.png"}
    for width, language in (("phone", "zh-TW"), ("desktop", "en")):
        expected |= {f"{width}-{language}-{page}.png" for page in PAGES}
        expected |= {f"{width}-{language}-admin-{page}.png" for page in ADMIN}
    written = {path.name for path in tmp_path.iterdir()}
    assert written == expected
    assert all((tmp_path / name).read_bytes().startswith(b"\x89PNG") for name in written)
