"""Printing never holds the guest up: the badge shows at once, and a printer problem falls back
to the on-screen badge with a clear message while the job stays queued for a reprint."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.records import replace
from tests.gui.conftest import click, to_notice
from tests.printer_peers import Peer, brother_status
from tests.receivers import free_port
from ui.app import Kiosk

pytestmark = pytest.mark.gui


@pytest.fixture
def slow_printer() -> Iterator[Peer]:
    peer = Peer("brother", status=brother_status(), delay=3.0).start()
    yield peer
    peer.stop()


def brother_site(config: Config, target: str, timeout: float = 5.0) -> Config:
    return replace(
        config, printer_backend="brother", printer_target=target, printer_timeout=timeout
    )


def test_offline_printer_falls_back_to_the_screen_and_keeps_the_job(
    qtbot: QtBot, kiosk_factory: Callable[[Config], Kiosk], config: Config
) -> None:
    kiosk = kiosk_factory(brother_site(config, f"tcp://127.0.0.1:{free_port()}"))
    to_notice(qtbot, kiosk)
    click(qtbot, kiosk.window.notice.accept)
    badge = kiosk.window.badge
    qtbot.waitUntil(lambda: badge.status_id() == "badge.print_failed", timeout=10_000)
    assert badge.status.text() == kiosk.flow.translator("badge.print_failed")
    assert not badge.qr.pixmap().isNull()  # the guest still has a badge, on screen
    (visit,) = kiosk.store.visits()
    (job,) = kiosk.store.pending_outbox("print", visit.id)
    assert "offline" in job["last_error"]  # visible to staff in `kiosk outbox`


def test_a_slow_printer_does_not_delay_the_badge_screen(
    qtbot: QtBot, kiosk_factory: Callable[[Config], Kiosk], config: Config, slow_printer: Peer
) -> None:
    kiosk = kiosk_factory(brother_site(config, slow_printer.target))
    to_notice(qtbot, kiosk)
    click(qtbot, kiosk.window.notice.accept)
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "badge", timeout=2_000)
    badge = kiosk.window.badge
    assert badge.status_id() == "badge.printing"  # the printer is still thinking
    assert badge.status.text() == kiosk.flow.translator("badge.printing")
    qtbot.waitUntil(lambda: badge.status_id() == "badge.printed", timeout=10_000)
    assert slow_printer.wait_for_job()
