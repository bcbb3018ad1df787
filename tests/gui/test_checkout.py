"""Check-out at the kiosk: by the code under the QR, by a scanner typing the badge, by camera."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.tokens import short_code
from printers.labels import label
from printers.layout import render_badge
from tests.gui.conftest import click, to_badge
from ui.app import Kiosk
from ui.camera import CameraScanner, qimage_to_pil, scan_frame
from ui.demo_tools import type_text

pytestmark = pytest.mark.gui


def checked_in(qtbot: QtBot, kiosk: Kiosk) -> str:
    to_badge(qtbot, kiosk, name="Otto Outgoing")
    click(qtbot, kiosk.window.badge.done_button)
    kiosk.flow.reset()
    (visit,) = kiosk.store.visits(on_site_only=True)
    return visit.id


def test_check_out_with_the_short_code(qtbot: QtBot, kiosk: Kiosk) -> None:
    visit_id = checked_in(qtbot, kiosk)
    click(qtbot, kiosk.window.welcome.checkout_button)
    assert kiosk.flow.step.value == "checkout"
    screen = kiosk.window.checkout
    type_text(screen.code, "0000 0000")
    click(qtbot, screen.submit)
    qtbot.waitUntil(lambda: screen.code_field.has_error())
    assert kiosk.flow.translator("checkout.not_found") in screen.code_field.error.text()
    screen.code.setText("")
    type_text(screen.code, short_code(visit_id).lower())
    click(qtbot, screen.submit)
    qtbot.waitUntil(lambda: screen.goodbye.isVisible())
    assert screen.goodbye_title.text() == kiosk.flow.translator("checkout.goodbye", name="Otto")
    assert kiosk.store.visits(on_site_only=True) == []
    # Balanced: no form title left in the corner, the name centred, one button back.
    assert not screen.title.isVisible() and screen.goodbye_button.isVisible()
    middle = screen.goodbye_title.mapTo(screen, screen.goodbye_title.rect().center())
    assert abs(middle.x() - screen.width() // 2) < 8
    assert screen.height() * 0.25 < middle.y() < screen.height() * 0.6
    kiosk.flow.done_timer.setInterval(10)
    kiosk.flow.done_timer.start()
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "welcome")
    assert screen.goodbye_title.text() == "" and screen.code.text() == ""


def test_a_badge_scanner_typing_the_token_checks_out(qtbot: QtBot, kiosk: Kiosk) -> None:
    visit_id = checked_in(qtbot, kiosk)
    visit = kiosk.store.visit(visit_id)
    assert visit is not None
    click(qtbot, kiosk.window.welcome.checkout_button)
    screen = kiosk.window.checkout
    type_text(screen.code, kiosk.flow.services.tokens.token_for(visit))
    qtbot.keyClick(screen.code, "\r")
    qtbot.waitUntil(lambda: screen.goodbye.isVisible())
    assert kiosk.store.visits(on_site_only=True) == []


def test_camera_frames_are_decoded_to_badge_tokens(qtbot: QtBot, kiosk: Kiosk) -> None:
    visit_id = checked_in(qtbot, kiosk)
    visit = kiosk.store.visit(visit_id)
    assert visit is not None
    content = kiosk.flow.services.tokens.content(visit, "Host")
    badge = render_badge(content, label("dk-11202")).convert("RGB")
    frame = Image.new("RGB", (1600, 1400), (90, 90, 90))  # the badge held up in a grey lobby
    frame.paste(badge.resize((540, 871)), (500, 260))
    data = frame.tobytes()
    image = QImage(data, frame.width, frame.height, frame.width * 3, QImage.Format.Format_RGB888)
    assert scan_frame(image.copy()) == content.payload
    assert qimage_to_pil(image).size == frame.size
    assert scan_frame(QImage(200, 200, QImage.Format.Format_RGB888)) is None


def test_without_a_camera_the_kiosk_offers_the_code_only(qtbot: QtBot, kiosk: Kiosk) -> None:
    scanner = CameraScanner.create(kiosk.workers)
    try:
        import PySide6.QtMultimedia  # noqa: F401
    except ImportError:
        assert scanner is None
    assert kiosk.flow.services.camera is None or kiosk.flow.services.camera is not scanner


def test_the_on_screen_qr_is_a_valid_badge(qtbot: QtBot, kiosk: Kiosk) -> None:
    from kiosk.tokens import Verdict

    to_badge(qtbot, kiosk, name="Screen Scan")
    image = kiosk.window.badge.qr.pixmap().toImage()
    token = scan_frame(image)
    assert token is not None
    checked = kiosk.flow.services.tokens.check(token, kiosk.flow.services.checkin._clock())
    assert checked.verdict is Verdict.VALID
    (visit,) = kiosk.store.visits()
    assert checked.claims is not None and checked.claims.visit_id == visit.id


def test_an_invitation_fills_in_the_details(qtbot: QtBot, kiosk: Kiosk) -> None:
    from datetime import time

    from kiosk import invitations
    from kiosk.hosts import HostDirectory

    clock = kiosk.flow.services.checkin._clock
    today = clock().astimezone(kiosk.config.zone).date()
    made = invitations.create(
        kiosk.store,
        kiosk.config,
        HostDirectory(kiosk.store, kiosk.config),
        "Ivy Invited",
        "ivy@example.org",
        "h-lin",
        today,
        time(9, 0),
        time(18, 0),
        "staff:s1",
        clock(),
    )
    click(qtbot, kiosk.window.welcome.invitation_button)
    screen = kiosk.window.invitation
    type_text(screen.code, "WRONGCOD")
    click(qtbot, screen.submit)
    qtbot.waitUntil(screen.code_field.has_error)
    screen.code.setText("")
    type_text(screen.code, made.code.lower())
    click(qtbot, screen.submit)
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "details")
    details = kiosk.window.details
    assert (details.name.text(), details.email.text(), details.host.host_id()) == (
        "Ivy Invited",
        "ivy@example.org",
        "h-lin",
    )
    details._purpose_buttons["meeting"].click()
    click(qtbot, details.next)
    click(qtbot, kiosk.window.notice.accept)  # the notice is still read and accepted
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "badge")
    (visit,) = kiosk.store.visits()
    row = kiosk.store.invitation(made.code)
    assert row is not None and row["used_by_visit"] == visit.id


def test_the_goodbye_button_goes_back_to_start(qtbot: QtBot, kiosk: Kiosk) -> None:
    visit_id = checked_in(qtbot, kiosk)
    click(qtbot, kiosk.window.welcome.checkout_button)
    screen = kiosk.window.checkout
    type_text(screen.code, short_code(visit_id))
    click(qtbot, screen.submit)
    qtbot.waitUntil(lambda: screen.goodbye.isVisible())
    click(qtbot, screen.goodbye_button)
    assert kiosk.flow.step.value == "welcome" and screen.goodbye_title.text() == ""
