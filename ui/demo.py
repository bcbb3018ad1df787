"""``kiosk demo``: drive the real screens offscreen through one check-in per language.

Writes a screenshot of every screen (and the details screen with its error messages) plus the
printed badge as PNG and PDF. Uses a throw-away data directory, so a demo never adds visits to a
real store. The screenshots in the README come from here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk.config import Config
from kiosk.retention import spool_files
from kiosk.tokens import short_code
from printers.labels import LABELS
from printers.layout import render_badge
from ui.app import Kiosk, keep_for_good
from ui.demo_scenes import more_screens, printer_failed
from ui.demo_tools import demo_kiosk, pick_host, shot, type_text, wait_until
from ui.host_picker import HostSearch

if TYPE_CHECKING:
    from ui.soak import SoakReport

GUESTS = {
    "zh-TW": {
        "name": "陳大文",
        "email": "tai-man.chan@example.com",
        "purpose": "meeting",
        "text": "",
        "host": "雅婷",
    },
    "en": {
        "name": "Alexandra Montgomery-Smith",
        "email": "alex@example.org",
        "purpose": "other",
        "text": "Delivering documents to 12F",
        "host": "jim",
    },
}


def run_demo(config: Config, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with demo_kiosk(config) as (kiosk, app):
        written: list[Path] = []
        for number, language in enumerate(kiosk.config.languages, start=1):
            written += _check_in_once(kiosk, app, language, out_dir, number)
        written += _label_gallery(kiosk, out_dir)
        for number, language in enumerate(kiosk.config.languages, start=1):
            written += more_screens(kiosk, out_dir, f"{number}-{language}", language)
    written += printer_failed(config, out_dir)
    return written


def soak_demo(config: Config, out_dir: Path, guests: int) -> SoakReport:
    """``kiosk demo --guests N``; the report is also written to ``out_dir/soak.json``."""
    from ui.soak import run_soak

    out_dir.mkdir(parents=True, exist_ok=True)
    with demo_kiosk(config) as (kiosk, app):
        keep_for_good()  # as ``kiosk run`` does: the soak measures the kiosk a lobby runs
        report = run_soak(kiosk, app, guests)
    (out_dir / "soak.json").write_text(json.dumps(report.as_json()) + "\n", encoding="utf-8")
    return report


def _label_gallery(kiosk: Kiosk, out_dir: Path) -> list[Path]:
    """The last demo guest's badge on every label the kiosk supports."""
    visit = kiosk.store.visits()[-1]
    host = kiosk.service.directory.get(visit.host_id)
    content = kiosk.flow.services.tokens.content(visit, host.name if host else visit.host_id)
    written = []
    for name, spec in LABELS.items():
        target = out_dir / f"label-{name}.png"
        render_badge(content, spec).save(target, dpi=(spec.dpi, spec.dpi))
        written.append(target)
    return written


def _shot(kiosk: Kiosk, app: QApplication, out_dir: Path, name: str) -> Path:
    return shot(kiosk, out_dir, name)


def _check_in_once(
    kiosk: Kiosk, app: QApplication, language: str, out_dir: Path, number: int
) -> list[Path]:
    flow, window, config = kiosk.flow, kiosk.window, kiosk.config
    guest = GUESTS.get(language, GUESTS["en"])
    shots: list[Path] = []
    prefix = f"{number}-{language}"
    flow.reset()
    flow.set_language(language)
    shots.append(_shot(kiosk, app, out_dir, f"{prefix}-1-welcome"))

    QTest.mouseClick(window.welcome.checkin, Qt.MouseButton.LeftButton)
    details = window.details
    shots.append(_shot(kiosk, app, out_dir, f"{prefix}-2-details"))
    type_text(details.email, "not-an-email")
    QTest.mouseClick(details.next, Qt.MouseButton.LeftButton)
    shots.append(_shot(kiosk, app, out_dir, f"{prefix}-2-details-errors"))

    details.email.setText("")
    type_text(details.name, guest["name"])
    type_text(details.email, guest["email"])
    purpose = guest["purpose"] if config.purpose(guest["purpose"]) else config.purposes[0].key
    details._purpose_buttons[purpose].click()
    if guest["text"] and details.purpose_text.isVisible():
        type_text(details.purpose_text, guest["text"])
    if isinstance(details.host, HostSearch):  # the proposals as the guest sees them
        type_text(details.host, guest["host"])
        shots.append(_shot(kiosk, app, out_dir, f"{prefix}-2-details-host"))
        details.host.clear_choice()
    pick_host(details.host, guest["host"])
    shots.append(_shot(kiosk, app, out_dir, f"{prefix}-2-details-filled"))
    QTest.mouseClick(details.next, Qt.MouseButton.LeftButton)
    wait_until(lambda: flow.step.value == "notice", "the notice screen")
    shots.append(_shot(kiosk, app, out_dir, f"{prefix}-3-notice"))

    QTest.mouseClick(window.notice.accept, Qt.MouseButton.LeftButton)
    wait_until(lambda: flow.step.value == "badge", "the badge screen")
    wait_until(lambda: window.badge.status_id() != "badge.printing", "the badge to print")
    shots.append(_shot(kiosk, app, out_dir, f"{prefix}-4-badge"))
    visit = kiosk.store.visits()[-1]
    for spooled in spool_files(config.spool_dir, visit.id):
        target = out_dir / f"{prefix}-badge{spooled.suffix}"
        shutil.copyfile(spooled, target)
        shots.append(target)

    QTest.mouseClick(window.badge.done_button, Qt.MouseButton.LeftButton)
    shots.append(_shot(kiosk, app, out_dir, f"{prefix}-5-done"))
    shots += _check_out(kiosk, app, out_dir, prefix, language)
    return shots


def _check_out(
    kiosk: Kiosk, app: QApplication, out_dir: Path, prefix: str, language: str
) -> list[Path]:
    """The same guest leaves: Check out on Welcome, the code from the badge, goodbye."""
    flow, window = kiosk.flow, kiosk.window
    visit = kiosk.store.visits(on_site_only=True)[-1]
    flow.reset()
    flow.set_language(language)
    QTest.mouseClick(window.welcome.checkout_button, Qt.MouseButton.LeftButton)
    type_text(window.checkout.code, short_code(visit.id))
    shots = [_shot(kiosk, app, out_dir, f"{prefix}-6-checkout")]
    QTest.mouseClick(window.checkout.submit, Qt.MouseButton.LeftButton)
    wait_until(window.checkout.goodbye.isVisible, "the goodbye message")
    shots.append(_shot(kiosk, app, out_dir, f"{prefix}-7-goodbye"))
    return shots
