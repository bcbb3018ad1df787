"""The guest flow, driven through the real widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.retention import spool_files
from tests.gui.conftest import click, to_badge, to_notice
from ui.app import Kiosk
from ui.demo_tools import type_text

pytestmark = pytest.mark.gui


def test_check_in_by_touch_stores_the_visit_and_shows_the_badge(qtbot: QtBot, kiosk: Kiosk) -> None:
    to_badge(qtbot, kiosk, name="Ada Lovelace")
    (visit,) = kiosk.store.visits()
    assert visit.name == "Ada Lovelace" and visit.language == kiosk.config.default_language
    badge = kiosk.window.badge
    assert "Ada" in badge.title.text() and "Lovelace" not in badge.title.text()
    assert not badge.qr.pixmap().isNull()
    assert badge.short_code.text() and badge.short_code.text() in visit.id.upper().replace("-", "")
    # The file spool prints nothing and tells nobody: the guest is sent to no printer or desk
    # that knows nothing about them, only asked to show the code on screen.
    qtbot.waitUntil(lambda: badge.status_id() != "badge.printing")
    assert badge.status_id() == "badge.on_screen"
    assert [p.suffix for p in spool_files(kiosk.config.spool_dir, visit.id)] == [".pdf", ".png"]
    acknowledgement = kiosk.store.acknowledgement(visit.id)
    assert acknowledgement is not None
    assert acknowledgement["notice_version"] == kiosk.window.notice.notice.version  # type: ignore[union-attr]

    click(qtbot, badge.done_button)
    assert kiosk.flow.step.value == "done"
    kiosk.flow.done_timer.setInterval(10)
    kiosk.flow.done_timer.start()
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "welcome")
    assert badge.title.text() == ""


def test_decline_stores_nothing_and_says_so(qtbot: QtBot, kiosk: Kiosk) -> None:
    qtbot.waitUntil(lambda: not kiosk.workers.busy())  # start-up work done
    published = kiosk.store.notice_versions()
    to_notice(qtbot, kiosk)
    notice_version = kiosk.window.notice.notice.version  # type: ignore[union-attr]
    assert notice_version in published  # every notice shown was stored before anyone saw it
    click(qtbot, kiosk.window.notice.decline)
    assert kiosk.flow.step.value == "welcome"
    assert kiosk.store.visits() == []
    assert kiosk.store.daily_counts() == []
    assert kiosk.store.notice_versions() == published
    banner = kiosk.window.welcome.banner
    assert banner.text() == kiosk.flow.translator("welcome.declined")
    assert kiosk.window.details.name.text() == ""


def test_invalid_details_show_messages_and_stay(qtbot: QtBot, kiosk: Kiosk) -> None:
    click(qtbot, kiosk.window.welcome.checkin)
    details = kiosk.window.details
    click(qtbot, details.next)
    assert kiosk.flow.step.value == "details"
    for field in (
        details.name_field,
        details.email_field,
        details.purpose_field,
        details.host_field,
    ):
        assert field.has_error() and field.error.text().startswith("⚠")
    assert details.has_errors()
    assert QApplication.focusWidget() is details.name
    qtbot.keyClicks(details.name, "A")
    assert not details.name_field.has_error()
    assert details.email_field.has_error()


def test_idle_timeout_clears_every_field(qtbot: QtBot, kiosk: Kiosk) -> None:
    canary = "Idle Canary"
    to_notice(qtbot, kiosk, name=canary, email="idle.canary@example.com", purpose="other")
    kiosk.window.details.purpose_text.setText("canary note")
    kiosk.flow.idle_timer.setInterval(20)
    kiosk.flow.idle_timer.start()
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "welcome")
    details = kiosk.window.details
    assert (details.name.text(), details.email.text(), details.purpose_text.text()) == ("", "", "")
    assert details.selected_purpose() == "" and details.host.host_id() == ""
    assert details.host.text() == "" and not details.host.results.isVisible()
    details.name.undo()
    assert details.name.text() == ""  # the undo history went too
    assert kiosk.window.welcome.banner.text() == kiosk.flow.translator("welcome.timed_out")
    texts = [
        w.text() for w in kiosk.window.findChildren(QLabel) + kiosk.window.findChildren(QLineEdit)
    ]
    assert not any("Canary" in text or "canary" in text for text in texts)
    assert kiosk.store.visits() == []


def test_idle_after_the_badge_clears_the_badge(qtbot: QtBot, kiosk: Kiosk) -> None:
    to_badge(qtbot, kiosk, name="Badge Canary")
    kiosk.flow.idle_timer.setInterval(20)
    kiosk.flow.idle_timer.start()
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "welcome")
    badge = kiosk.window.badge
    assert badge.qr.pixmap().isNull()
    assert all("Badge" not in label.text() for label in badge.findChildren(QLabel))


def test_keyboard_only_check_in(qtbot: QtBot, kiosk: Kiosk) -> None:
    def press(key: Qt.Key, times: int = 1) -> None:
        for _ in range(times):
            qtbot.keyClick(QApplication.focusWidget(), key)

    kiosk.window.welcome.checkin.setFocus()
    press(Qt.Key.Key_Space)
    assert kiosk.flow.step.value == "details"
    qtbot.keyClicks(QApplication.focusWidget(), "Grace Hopper")
    press(Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "grace@example.com")
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is kiosk.window.details.host
    qtbot.keyClicks(QApplication.focusWidget(), "amy")
    press(Qt.Key.Key_Return)  # the first proposal
    assert kiosk.window.details.host.host_id() == "h-chen"
    press(Qt.Key.Key_Tab)
    press(Qt.Key.Key_Space)  # the first purpose
    assert kiosk.window.details.selected_purpose() == kiosk.config.purposes[0].key
    kiosk.window.details.next.setFocus()
    assert QApplication.focusWidget() is kiosk.window.details.next
    press(Qt.Key.Key_Return)
    assert kiosk.flow.step.value == "notice"
    assert QApplication.focusWidget() is kiosk.window.notice.text  # read first
    for _ in range(4):  # then Back, No thanks, I agree: reading order
        if QApplication.focusWidget() is kiosk.window.notice.accept:
            break
        press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is kiosk.window.notice.accept
    press(Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "badge")
    assert [v.name for v in kiosk.store.visits()] == ["Grace Hopper"]


def test_tab_order_reaches_continue(qtbot: QtBot, kiosk: Kiosk) -> None:
    click(qtbot, kiosk.window.welcome.checkin)
    seen = []
    for _ in range(20):
        widget = QApplication.focusWidget()
        seen.append(widget)
        if widget is kiosk.window.details.next:
            break
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    details = kiosk.window.details
    order = [details.name, details.email, details.host, details.cancel, details.next]
    assert [w for w in seen if w in order] == order


def test_language_switch_on_the_notice_records_that_language(qtbot: QtBot, kiosk: Kiosk) -> None:
    kiosk.flow.set_language("en")
    to_notice(qtbot, kiosk)
    english = kiosk.window.notice.notice
    click(qtbot, kiosk.window.languages.button("zh-TW"))
    chinese = kiosk.window.notice.notice
    assert chinese is not None and english is not None
    assert chinese.language == "zh-TW" and chinese.version != english.version
    assert "蒐集者" in kiosk.window.notice.text.toPlainText()
    click(qtbot, kiosk.window.notice.accept)
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "badge")
    (visit,) = kiosk.store.visits()
    assert (visit.language, visit.notice_version) == ("zh-TW", chinese.version)


def test_a_failed_save_keeps_the_guest_input(qtbot: QtBot, kiosk: Kiosk) -> None:
    to_notice(qtbot, kiosk, name="Kept Name")
    kiosk.store.close()  # the disk went away
    click(qtbot, kiosk.window.notice.accept)
    notice = kiosk.window.notice
    qtbot.waitUntil(lambda: notice.error.isVisible())
    assert notice.error.text() == kiosk.flow.translator("errors.save_failed")
    assert kiosk.flow.step.value == "notice" and notice.accept.isEnabled()
    assert kiosk.window.details.name.text() == "Kept Name"


def test_a_late_answer_never_reaches_the_next_guest(qtbot: QtBot, kiosk: Kiosk) -> None:
    to_notice(qtbot, kiosk, name="Late Canary")
    click(qtbot, kiosk.window.notice.accept)
    kiosk.flow.reset()  # before the worker's answer is delivered
    qtbot.waitUntil(lambda: not kiosk.workers.busy())
    assert kiosk.flow.step.value == "welcome"
    assert kiosk.window.badge.title.text() == ""


def test_user_text_is_never_interpreted_as_markup(qtbot: QtBot, kiosk: Kiosk) -> None:
    to_badge(qtbot, kiosk, name="&amp;Tom Jerry")  # rich text would show "&Tom"
    title = kiosk.window.badge.title
    assert title.textFormat() == Qt.TextFormat.PlainText
    assert "&amp;Tom" in title.text()


def test_an_unexpected_error_resets_the_screen_and_logs_no_message(
    qtbot: QtBot, kiosk: Kiosk, caplog: pytest.LogCaptureFixture
) -> None:
    from ui.app import guard_against_crashes

    typed = "Crash Canary"
    to_notice(qtbot, kiosk, name=typed)
    try:
        raise KeyError(typed)
    except KeyError as error:
        guard_against_crashes(kiosk.flow)(KeyError, error, error.__traceback__)
    assert kiosk.flow.step.value == "welcome"
    assert kiosk.window.details.name.text() == ""
    assert "KeyError" in caplog.text and "Canary" not in caplog.text


def test_a_save_error_follows_the_language_switch(qtbot: QtBot, kiosk: Kiosk) -> None:
    to_notice(qtbot, kiosk)
    kiosk.store.close()
    click(qtbot, kiosk.window.notice.accept)
    error = kiosk.window.notice.error
    qtbot.waitUntil(lambda: bool(error.text()))
    before = error.text()
    kiosk.flow.set_language("en" if kiosk.flow.language == "zh-TW" else "zh-TW")
    assert error.text() and error.text() != before
    assert error.text() == kiosk.flow.translator("errors.save_failed")


def test_a_denied_guest_is_only_asked_to_see_the_front_desk(
    qtbot: QtBot,
    kiosk_factory,
    config,  # type: ignore[no-untyped-def]
) -> None:
    from kiosk.denylist import DenyList

    kiosk = kiosk_factory(config)
    DenyList(kiosk.store, config.keys_dir).add(
        "Mallory Denied", "", "Trespass", kiosk.flow.services.checkin._clock(), None, "staff:s1"
    )
    kiosk.flow.set_language("en")
    to_notice(qtbot, kiosk, name="Mallory Denied")
    click(qtbot, kiosk.window.notice.accept)
    banner = kiosk.window.welcome.banner
    qtbot.waitUntil(lambda: bool(banner.text()))
    assert banner.text() == "Please see the front desk, where a colleague will help you."
    assert kiosk.flow.step.value == "welcome" and kiosk.window.details.name.text() == ""
    assert kiosk.store.visits() == [] and len(kiosk.store.alerts()) == 1


def test_one_chinese_character_searches_and_says_when_nothing_matches(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    """陳 finds Amy Chen; 龍, which is in no host's name, shows the "no match" hint rather than an
    empty nothing (a single Latin letter asks for a second)."""
    click(qtbot, kiosk.window.welcome.checkin)
    host = kiosk.window.details.host
    type_text(host, "陳")
    names = [b.text() for b in host.suggestions]
    assert host.results.isVisible() and any("Amy Chen" in name for name in names)
    host.clear_choice()
    type_text(host, "龍")
    assert host.results.isVisible()
    texts = [label.text() for label in host.results.findChildren(QLabel) if label.isVisible()]
    assert texts == [kiosk.flow.translator("details.host_no_match")]
    host.clear_choice()
    type_text(host, "q")  # a single Latin letter lists nobody yet, and says why
    assert host.results.isVisible() and not host.suggestions
    qtbot.waitUntil(
        lambda: (
            [label.text() for label in host.results.findChildren(QLabel) if label.isVisible()]
            == [kiosk.flow.translator("details.host_keep_typing")]
        )
    )
