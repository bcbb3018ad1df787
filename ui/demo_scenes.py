"""The screens of ``kiosk demo`` beyond one plain check-in: a declined notice, a guest on the deny
list, an invitation, every staff screen (PIN, menu, who is here, the evacuation roll call, visitor
numbers) and a badge printer that fails. Each is reached the way a person would reach it, through
the real window and the real store, never by setting a screen's text directly.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton

from kiosk import invitations
from kiosk.config import Config
from kiosk.records import replace
from kiosk.staff import add_staff
from kiosk.timeutil import utc_now
from ui.app import Kiosk
from ui.demo_tools import demo_kiosk, pick_host, shot, type_text, wait_until

STAFF_NAME, STAFF_PIN = "林美辰 Mei-Chen Lin", "2468"
DENIED = "Mallory Example"
VISITORS = ("王小明 Ming Wang", "Priya Raman", "Jonathan Christopher Alexander-Whitfield")


def tap(button: QAbstractButton) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def more_screens(kiosk: Kiosk, out_dir: Path, prefix: str, language: str) -> list[Path]:
    shots = _declined_and_denied(kiosk, out_dir, prefix, language)
    shots += _invitation(kiosk, out_dir, prefix, language)
    shots += _staff(kiosk, out_dir, prefix, language)
    return shots


def _to_notice(kiosk: Kiosk, language: str, name: str) -> None:
    kiosk.flow.reset()
    kiosk.flow.set_language(language)
    details = kiosk.window.details
    tap(kiosk.window.welcome.checkin)
    type_text(details.name, name)
    type_text(details.email, "guest@example.org")
    details._purpose_buttons[kiosk.config.purposes[0].key].click()
    pick_host(details.host, "amy")
    tap(details.next)
    wait_until(lambda: kiosk.flow.step.value == "notice", "the notice")


def _declined_and_denied(kiosk: Kiosk, out_dir: Path, prefix: str, language: str) -> list[Path]:
    """'Don't check me in' on the notice, and a guest the deny list refers to the desk."""
    _to_notice(kiosk, language, "Declining Guest")
    tap(kiosk.window.notice.decline)
    shots = [shot(kiosk, out_dir, f"{prefix}-8-declined")]
    deny = kiosk.site.deny_list
    if deny.check(DENIED, "", utc_now()) is None:
        deny.add(DENIED, "", "Demo entry", utc_now(), None, "staff:demo")
    _to_notice(kiosk, language, DENIED)
    tap(kiosk.window.notice.accept)
    wait_until(lambda: bool(kiosk.window.welcome.banner.text()), "the see-the-desk message")
    shots.append(shot(kiosk, out_dir, f"{prefix}-9-see-front-desk"))
    return shots


def _invitation(kiosk: Kiosk, out_dir: Path, prefix: str, language: str) -> list[Path]:
    """A host invited a guest; the guest types the code and finds the form filled in."""
    now = utc_now()
    local = now.astimezone(kiosk.config.zone)
    end = min(local + timedelta(hours=2), local.replace(hour=23, minute=59))
    invitation = invitations.create(
        kiosk.store,
        kiosk.config,
        kiosk.service.directory,
        "Grace Invited",
        "grace@example.org",
        kiosk.config.hosts[0].id,
        local.date(),
        local.time().replace(second=0, microsecond=0),
        end.time().replace(second=0, microsecond=0),
        "demo",
        now,
    )
    kiosk.flow.reset()
    kiosk.flow.set_language(language)
    tap(kiosk.window.welcome.invitation_button)
    type_text(kiosk.window.invitation.code, invitation.code)
    shots = [shot(kiosk, out_dir, f"{prefix}-10-invitation")]
    tap(kiosk.window.invitation.submit)
    wait_until(lambda: kiosk.flow.step.value == "details", "the invited guest's details")
    shots.append(shot(kiosk, out_dir, f"{prefix}-10-invitation-details"))
    return shots


def _staff(kiosk: Kiosk, out_dir: Path, prefix: str, language: str) -> list[Path]:
    """A few guests on site, then every staff screen."""
    flow, window = kiosk.flow, kiosk.window
    if not any(row["name"] == STAFF_NAME for row in kiosk.store.staff()):
        add_staff(kiosk.store, STAFF_NAME, STAFF_PIN, utc_now())
    for name in VISITORS:
        if not any(v.name == name for v in kiosk.store.visits(on_site_only=True)):
            _to_notice(kiosk, language, name)
            tap(window.notice.accept)
            wait_until(lambda: flow.step.value == "badge", "a badge")
    flow.reset()
    flow.set_language(language)
    window.staff_requested.emit()
    shots = [shot(kiosk, out_dir, f"{prefix}-11-staff-pin")]
    type_text(window.staff.pin, STAFF_PIN)
    tap(window.staff.unlock)
    wait_until(window.staff.menu.isVisible, "the staff menu")
    shots.append(shot(kiosk, out_dir, f"{prefix}-12-staff-menu"))
    tap(window.staff.onsite_button)
    wait_until(lambda: window.onsite.row_count() >= len(VISITORS), "who is here")
    shots.append(shot(kiosk, out_dir, f"{prefix}-13-onsite"))
    tap(window.onsite.back_button)
    tap(window.staff.evacuation_button)
    wait_until(lambda: window.onsite.row_count() >= len(VISITORS), "the roll call")
    window.onsite.set_ticked(0, True)
    window.onsite.set_ticked(2, True)
    tap(window.onsite.print_button)
    wait_until(
        lambda: window.onsite.status.text() not in ("", flow.translator("evacuation.printing")),
        "the printed roll call",
    )
    shots.append(shot(kiosk, out_dir, f"{prefix}-14-evacuation"))
    tap(window.onsite.back_button)
    tap(window.staff.report_button)
    wait_until(lambda: len(window.report.chart.bars) == 14, "visitor numbers")
    shots.append(shot(kiosk, out_dir, f"{prefix}-15-report"))
    tap(window.report.back_button)
    tap(window.staff.join_hub_button)
    window.join_hub.url.setText("https://hub.example.com:8470")
    window.join_hub.code.setText("K7Q2-M9XA-4FPT-WZ3C")
    shots.append(shot(kiosk, out_dir, f"{prefix}-17-join-hub"))
    flow.reset()
    return shots


def printer_failed(config: Config, out_dir: Path) -> list[Path]:
    """A badge printer that cannot be reached: the guest is told to show the screen at the desk."""
    with socket.socket() as probe:  # a port nothing listens on: the printer is "off"
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    broken = replace(
        config,
        printer_backend="brother",
        printer_target=f"tcp://127.0.0.1:{port}",
        printer_timeout=2.0,
        printer_status_check=False,
    )
    shots = []
    with demo_kiosk(broken) as (kiosk, _app):
        for number, language in enumerate(kiosk.config.languages, start=1):
            _to_notice(kiosk, language, VISITORS[number % len(VISITORS)])
            tap(kiosk.window.notice.accept)
            wait_until(
                lambda: kiosk.window.badge.status_id() == "badge.print_failed", "the failed print"
            )
            shots.append(shot(kiosk, out_dir, f"{number}-{language}-16-printer-failed"))
    return shots
