"""Every screen: translated completely, labelled for screen readers, sized for touch, fitting
the tablet in both languages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.records import replace
from tests.gui.conftest import click, to_badge, to_notice
from tests.gui.test_staff import sign_in
from ui.app import Kiosk
from ui.demo import run_demo
from ui.demo_tools import type_text

pytestmark = pytest.mark.gui
EXCLUDED = ("guestData", "autonym", "configText", "symbol")


def visible_texts(root: QWidget) -> dict[QWidget, str]:
    """Texts a guest can read on screen now, minus their own data and language names."""
    found: dict[QWidget, str] = {}
    for widget in root.findChildren(QLabel) + root.findChildren(QAbstractButton):
        if not widget.isVisible() or any(widget.property(p) for p in EXCLUDED):
            continue
        if widget.text().strip():
            found[widget] = widget.text()
    return found


def go_to(qtbot: QtBot, kiosk: Kiosk, step: str) -> None:
    if step == "details":
        click(qtbot, kiosk.window.welcome.checkin)
        click(qtbot, kiosk.window.details.next)  # show every error message too
    elif step == "notice":
        to_notice(qtbot, kiosk)
    elif step == "staff":
        kiosk.window.staff_requested.emit()
        click(qtbot, kiosk.window.staff.unlock)  # no staff yet: "That PIN is not right."
        qtbot.waitUntil(kiosk.window.staff.pin_field.has_error)
    elif step == "onsite":
        _one_guest_on_the_list(qtbot, kiosk, "Sam Onsite", kiosk.window.staff.onsite_button)
    elif step == "staff_menu":
        kiosk.store.add_alert(kiosk.flow.services.checkin._clock(), "near_match", "d1", "v1")
        sign_in(qtbot, kiosk)  # the menu, with the deny-list alert showing
        qtbot.waitUntil(kiosk.window.staff.alerts.isVisible)
    elif step == "evacuation":
        long_name = "Maximilian Alexander von Habsburg-Lothringen-Wittelsbach"
        _one_guest_on_the_list(qtbot, kiosk, long_name, kiosk.window.staff.evacuation_button)
        kiosk.window.onsite.set_ticked(0, True)
        click(qtbot, kiosk.window.onsite.print_button)  # the longest status message
        qtbot.waitUntil(lambda: "evacuation-" in kiosk.window.onsite.status.text())
    elif step == "invitation":
        click(qtbot, kiosk.window.welcome.invitation_button)
        click(qtbot, kiosk.window.invitation.submit)  # an empty code shows the message
        qtbot.waitUntil(kiosk.window.invitation.code_field.has_error)
    elif step == "report":
        sign_in(qtbot, kiosk)
        click(qtbot, kiosk.window.staff.report_button)
        qtbot.waitUntil(lambda: len(kiosk.window.report.chart.bars) == 14)
    elif step == "checkout":
        click(qtbot, kiosk.window.welcome.checkout_button)
        click(qtbot, kiosk.window.checkout.submit)  # an empty code shows the message
    elif step in ("badge", "done"):
        to_badge(qtbot, kiosk)
        if step == "done":
            click(qtbot, kiosk.window.badge.done_button)
    assert kiosk.flow.step.value == {"evacuation": "onsite", "staff_menu": "staff"}.get(step, step)


def _one_guest_on_the_list(qtbot: QtBot, kiosk: Kiosk, name: str, button: QAbstractButton) -> None:
    """A guest checks in, then staff sign in and open a list of who is here."""
    to_badge(qtbot, kiosk, name=name)
    kiosk.flow.reset()
    sign_in(qtbot, kiosk)
    click(qtbot, button)
    qtbot.waitUntil(lambda: kiosk.window.onsite.row_count() == 1)


STEPS = [
    "welcome",
    "details",
    "notice",
    "badge",
    "done",
    "checkout",
    "staff",
    "staff_menu",
    "onsite",
    "evacuation",
    "report",
]


@pytest.mark.parametrize("step", STEPS)
def test_language_switch_changes_every_visible_string(
    qtbot: QtBot, kiosk: Kiosk, step: str
) -> None:
    go_to(qtbot, kiosk, step)
    before = visible_texts(kiosk.window)
    assert before, "a screen with nothing to read?"
    other = "en" if kiosk.flow.language == "zh-TW" else "zh-TW"
    kiosk.flow.set_language(other)
    after = visible_texts(kiosk.window)
    unchanged = [text for widget, text in before.items() if after.get(widget) == text]
    assert unchanged == []
    if step == "notice":
        assert kiosk.window.notice.notice.language == other  # type: ignore[union-attr]


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_screens_fit_the_tablet_and_have_touch_sized_labelled_controls(
    qtbot: QtBot, kiosk: Kiosk, step: str, language: str
) -> None:
    kiosk.flow.set_language(language)
    go_to(qtbot, kiosk, step)
    kiosk.flow.set_language(language)
    if step == "details":
        kiosk.window.details._purpose_buttons["other"].click()  # the tallest form
    qtbot.wait(1)
    assert kiosk.window.height() == 800
    scroller = kiosk.window.stack.currentWidget()
    assert scroller.verticalScrollBar().maximum() == 0, "at 100 % a screen must not scroll"
    screen = kiosk.window.current_screen()
    controls: list[QWidget] = [
        *screen.findChildren(QAbstractButton),
        *screen.findChildren(QLineEdit),
        *screen.findChildren(QComboBox),
        *kiosk.window.top_bar.findChildren(QAbstractButton),
    ]
    for control in [c for c in controls if c.isVisible()]:
        assert control.accessibleName(), f"{control.objectName()} has no accessible name"
        assert control.height() >= 44, f"{control.objectName()} is {control.height()} px tall"
    for label in screen.findChildren(QLabel):
        if label.isVisible() and label.wordWrap():
            needed = label.heightForWidth(label.width())
            assert needed <= label.height() + 1, f"clipped: {label.text()[:30]!r}"


def test_every_field_says_why_it_is_asked(qtbot: QtBot, kiosk: Kiosk) -> None:
    details = kiosk.window.details
    for editor in (details.name, details.email, details.host):
        assert editor.accessibleDescription()
    for field in (
        details.name_field,
        details.email_field,
        details.purpose_field,
        details.host_field,
    ):
        assert field.why.text()


@pytest.mark.parametrize("scale", [1.0, 2.0])
@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_every_placeholder_is_whole_at_any_text_size(
    qtbot: QtBot, kiosk: Kiosk, language: str, scale: float
) -> None:
    """A placeholder tells a guest what to type; at 200 % the host field's ("Type 2 or more
    letter...", "請輸入對方姓名的前...") was cut off in its half of the form."""
    from PySide6.QtWidgets import QStyle, QStyleOptionFrame

    kiosk.flow.set_language(language)
    kiosk.window.set_text_scale(scale)
    go_to(qtbot, kiosk, "details")
    details = kiosk.window.details
    details._purpose_buttons["other"].click()  # shows the note's field too
    qtbot.wait(10)
    for edit in details.findChildren(QLineEdit):
        if not edit.isVisible() or not edit.placeholderText():
            continue
        option = QStyleOptionFrame()
        edit.initStyleOption(option)
        room = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
        margins = edit.textMargins()
        width = room.width() - margins.left() - margins.right() - 4  # Qt keeps 2 px each side
        needed = edit.fontMetrics().horizontalAdvance(edit.placeholderText())
        assert needed <= width, (
            f"{edit.objectName()}: {edit.placeholderText()!r} {needed} > {width}"
        )


def test_demo_writes_every_screen_and_the_badge(qtbot: QtBot, kiosk: Kiosk, tmp_path: Path) -> None:
    # The demo builds its own kiosk on the same QApplication; the fixture one just sits idle.
    written = run_demo(kiosk.config, tmp_path / "out")
    names = {p.name for p in written}
    for language, number in (("zh-TW", 1), ("en", 2)):
        for screen in (
            "1-welcome",
            "2-details",
            "2-details-errors",
            "2-details-host",
            "3-notice",
            "4-badge",
            "5-done",
            "6-checkout",
            "7-goodbye",
            "8-declined",
            "9-see-front-desk",
            "10-invitation",
            "10-invitation-details",
            "11-staff-pin",
            "12-staff-menu",
            "13-onsite",
            "14-evacuation",
            "15-report",
            "16-printer-failed",
            "17-join-hub",
        ):
            assert f"{number}-{language}-{screen}.png" in names
            assert (
                tmp_path / "out" / "large-text" / f"{number}-{language}-{screen}-200.png"
            ).exists()
        assert f"{number}-{language}-badge.pdf" in names
    assert all(p.stat().st_size > 1000 for p in written)
    assert kiosk.store.visits() == []  # the demo used a throw-away data directory


def clipped(screen: QWidget) -> list[str]:
    """Texts that do not fit the space their widget got."""
    problems = []
    for label in screen.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        if label.wordWrap():
            if label.heightForWidth(label.width()) > label.height() + 1:
                problems.append(label.text()[:30])
        elif label.sizeHint().width() > label.width() + 1:
            problems.append(label.text()[:30])
    for button in screen.findChildren(QAbstractButton):
        # Text must fit inside the button (borders and padding vary with its state).
        text_width = button.fontMetrics().horizontalAdvance(button.text())
        text_height = button.fontMetrics().height()
        if (
            button.isVisible()
            and button.text()
            and (text_width + 16 > button.width() or text_height > button.height())
        ):
            problems.append(button.text()[:30])
    return problems


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("scale", [1.5, 2.0])
@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_large_text_never_clips(
    qtbot: QtBot, kiosk: Kiosk, step: str, scale: float, language: str
) -> None:
    kiosk.flow.set_language(language)
    go_to(qtbot, kiosk, step)
    kiosk.window.set_text_scale(scale)
    kiosk.flow.set_language(language)
    qtbot.wait(30)  # let every layout settle at the new size
    screen = kiosk.window.current_screen()
    assert clipped(screen) == []
    assert kiosk.window.width() == 1280  # it grows downwards (scrolling), never sideways


def test_text_size_button_cycles_and_a_new_guest_starts_at_100(qtbot: QtBot, kiosk: Kiosk) -> None:
    button = kiosk.window.text_size
    assert button.accessibleName()
    sizes = []
    for _ in range(3):
        click(qtbot, button)
        sizes.append(kiosk.window.text_scale)
    assert sizes == [1.5, 2.0, 1.0]
    click(qtbot, button)
    kiosk.flow.reset()
    assert kiosk.window.text_scale == 1.0


def test_times_are_written_the_way_each_language_writes_them(qtbot: QtBot, kiosk: Kiosk) -> None:
    kiosk.flow.set_language("zh-TW")
    to_badge(qtbot, kiosk)  # the fake clock says 09:30 in Taipei
    assert kiosk.window.badge.checked_in.text() == "登記時間 上午9:30"
    kiosk.flow.set_language("en")
    assert kiosk.window.badge.checked_in.text() == "Checked in 9:30\u202fAM"  # CLDR spacing


def _places(widgets: list[QWidget], root: QWidget) -> list[tuple[int, int]]:
    return [
        (w.mapTo(root, w.rect().topLeft()).x(), w.mapTo(root, w.rect().topLeft()).y())
        for w in widgets
    ]


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_nothing_moves_under_a_finger_when_messages_come_and_go(
    qtbot: QtBot, kiosk: Kiosk, language: str
) -> None:
    window = kiosk.window
    kiosk.flow.set_language(language)
    welcome = window.welcome
    targets = [welcome.checkin, welcome.checkout_button, welcome.invitation_button]
    qtbot.wait(10)
    before = _places(targets, window)
    welcome.show_banner("welcome.declined", kiosk.flow.translator)
    qtbot.wait(10)
    assert _places(targets, window) == before
    # The whole message shows: the label is as tall as its wrapped text needs.
    banner = welcome.banner
    assert banner.height() >= banner.heightForWidth(banner.width()) - 1
    assert banner.fontMetrics().lineSpacing() * 2 <= banner.contentsRect().height()

    click(qtbot, welcome.checkin)
    details = window.details
    fields = [details.name, details.email, details.host, details.next, details.cancel]
    fields += list(details._purpose_buttons.values())
    qtbot.wait(10)
    before = _places(fields, window)
    click(qtbot, details.next)  # every field shows its message
    qtbot.wait(10)
    assert details.has_errors()
    assert _places(fields, window) == before
    type_text(details.name, "Ann")  # the name's message clears
    qtbot.wait(10)
    assert _places(fields, window) == before


def test_aa_stays_under_the_finger_at_every_text_size(qtbot: QtBot, kiosk: Kiosk) -> None:
    window = kiosk.window
    click(qtbot, window.welcome.checkin)  # the top bar shows the languages beside Aa
    button = window.text_size
    centre = button.mapTo(window, button.rect().center())
    for _ in range(3):
        qtbot.mouseClick(window.childAt(centre), Qt.MouseButton.LeftButton)
        qtbot.wait(10)
        assert window.childAt(centre) is button
    assert window.text_scale == 1.0  # 1.5, 2.0, back to 1.0: each tap hit Aa


@pytest.mark.parametrize("scale", [1.0, 2.0])
@pytest.mark.parametrize("message", ["welcome.declined", "welcome.timed_out"])
def test_welcome_messages_show_whole_in_chinese(
    qtbot: QtBot, kiosk: Kiosk, message: str, scale: float
) -> None:
    from PySide6.QtCore import QRect

    kiosk.flow.set_language("zh-TW")
    kiosk.window.set_text_scale(scale)
    banner = kiosk.window.welcome.banner
    kiosk.window.welcome.show_banner(message, kiosk.flow.translator)
    qtbot.wait(30)
    inside = banner.contentsRect()
    flags = int(Qt.TextFlag.TextWordWrap)
    needed = banner.fontMetrics().boundingRect(
        QRect(0, 0, inside.width(), 10_000), flags, banner.text()
    )
    assert needed.height() <= inside.height(), "the message's lines are cut"
    assert clipped(kiosk.window.welcome) == []


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_the_whole_notice_reads_in_one_screen_at_100(
    qtbot: QtBot, kiosk_factory: Callable[[Config], Kiosk], config: Config, language: str
) -> None:
    """Every item of the notice, with the hub and the badge copy named (its longest form),
    without scrolling at the default text size."""
    longest = replace(
        config,
        demo=False,  # a site's own controller: no "demo configuration" line
        hub_url="https://hub.harbour.example/v1",
        visitor_copy=True,
        notify_email_url="mailto://127.0.0.1:9/?from=kiosk@example.org",
    )
    kiosk = kiosk_factory(longest)
    kiosk.flow.set_language(language)
    to_notice(qtbot, kiosk)
    qtbot.wait(30)
    text = kiosk.window.notice.text
    assert "hub.harbour.example" in text.toPlainText()
    assert text.verticalScrollBar().maximum() == 0, "the notice must not need scrolling"


def _overlapping(widgets: list[QWidget], root: QWidget) -> list[str]:
    boxes = [
        (w, w.geometry().translated(w.parentWidget().mapTo(root, w.pos()) - w.pos()))
        for w in widgets
    ]
    return [
        f"{a.text()} / {b.text()}"  # type: ignore[attr-defined]
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if box_a.intersects(box_b)
    ]


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_demo_pictures_wait_for_the_layout_to_settle(
    qtbot: QtBot, kiosk: Kiosk, language: str
) -> None:
    """What ``make demo`` photographs at 200 %: after ``settle`` nothing overlaps or is cut."""
    from ui.demo_tools import settle

    kiosk.flow.set_language(language)
    click(qtbot, kiosk.window.welcome.checkin)
    kiosk.window.set_text_scale(2.0)
    settle(kiosk.window)
    details = kiosk.window.details
    purposes = [b for b in details._purpose_buttons.values() if b.isVisible()]
    assert _overlapping(purposes, details) == []
    assert clipped(details) == []
