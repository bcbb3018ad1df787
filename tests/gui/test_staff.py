"""Staff mode: a long press on the site name, a PIN, and (under lockdown) the only way out."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.records import replace
from kiosk.staff import add_staff
from tests.gui.conftest import click
from ui.app import Kiosk
from ui.demo_tools import type_text
from ui.screens.onsite import OnSiteScreen

pytestmark = pytest.mark.gui


def test_long_press_pin_and_leaving_lockdown(
    qtbot: QtBot, kiosk_factory: Callable[[Config], Kiosk], config: Config
) -> None:
    kiosk = kiosk_factory(replace(config, lockdown=True))
    assert kiosk.lockdown is not None
    kiosk.lockdown.apply()
    add_staff(kiosk.store, "Desk", "2468", kiosk.flow.services.checkin._clock())
    site = kiosk.window.site_label
    qtbot.mousePress(site, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(site, Qt.MouseButton.LeftButton)  # a tap is not enough
    assert kiosk.flow.step.value == "welcome"
    kiosk.window.staff_hold.timer.setInterval(20)
    qtbot.mousePress(site, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "staff")
    qtbot.mouseRelease(site, Qt.MouseButton.LeftButton)

    screen = kiosk.window.staff
    type_text(screen.pin, "1111")
    click(qtbot, screen.unlock)
    qtbot.waitUntil(screen.pin_field.has_error)
    assert screen.pin.text() == "" and not screen.menu.isVisible()
    type_text(screen.pin, "2468")
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(screen.menu.isVisible)
    assert "Desk" in screen.signed_in.text()  # the name staff were added with
    with qtbot.waitSignal(kiosk.flow.exit_requested):
        click(qtbot, screen.exit_button)
    assert kiosk.lockdown.unlocked


def test_staff_mode_closes_itself_when_left_alone(qtbot: QtBot, kiosk: Kiosk) -> None:
    kiosk.window.staff_requested.emit()
    assert kiosk.flow.idle_timer.interval() == 120_000  # two minutes for staff
    kiosk.flow.idle_timer.setInterval(10)
    kiosk.flow.idle_timer.start()
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "welcome")
    assert kiosk.window.staff.pin.text() == ""


def sign_in(qtbot: QtBot, kiosk: Kiosk) -> None:
    add_staff(kiosk.store, "Desk", "2468", kiosk.flow.services.checkin._clock())
    kiosk.window.staff_requested.emit()
    type_text(kiosk.window.staff.pin, "2468")
    click(qtbot, kiosk.window.staff.unlock)
    qtbot.waitUntil(kiosk.window.staff.menu.isVisible)


def staff_list_of(
    qtbot: QtBot, kiosk: Kiosk, names: tuple[str, ...], roll_call: bool
) -> OnSiteScreen:
    """These guests checked in, staff signed in and opened who is here (or the roll call)."""
    from tests.gui.conftest import to_badge

    for name in names:
        to_badge(qtbot, kiosk, name=name)
        kiosk.flow.reset()
    sign_in(qtbot, kiosk)
    staff = kiosk.window.staff
    click(qtbot, staff.evacuation_button if roll_call else staff.onsite_button)
    screen = kiosk.window.onsite
    qtbot.waitUntil(lambda: screen.row_count() == len(names))
    return screen


def test_who_is_here_check_out_and_reprint(qtbot: QtBot, kiosk: Kiosk) -> None:
    people = staff_list_of(qtbot, kiosk, ("Olga Onsite", "Pablo Present"), roll_call=False)
    assert people.name_at(0) == "Olga Onsite"
    type_text(kiosk.window.onsite.search, "pab")
    qtbot.waitUntil(lambda: people.row_count() == 1)
    people.set_ticked(0, True)
    click(qtbot, kiosk.window.onsite.reprint_button)
    qtbot.waitUntil(
        lambda: kiosk.window.onsite.status.text() == kiosk.flow.translator("onsite.reprinted")
    )
    kiosk.window.onsite.search.setText("")
    type_text(kiosk.window.onsite.search, "o")  # both names contain an o
    qtbot.waitUntil(lambda: people.row_count() == 2)
    for row in range(2):
        people.set_ticked(row, True)
    click(qtbot, kiosk.window.onsite.check_out_button)  # both at once
    qtbot.waitUntil(lambda: people.row_count() == 0)
    assert kiosk.window.onsite.status.text() == kiosk.flow.translator("onsite.done", count=2)
    assert kiosk.store.visits(on_site_only=True) == []
    actions = [r["action"] for r in kiosk.store.audit_rows()]
    assert "reprint" in actions and actions.count("checkout") == 2


def test_evacuation_roll_call_ticks_reach_the_paper(qtbot: QtBot, kiosk: Kiosk) -> None:
    from pathlib import Path

    from tests.pdf_boxes import tick_boxes
    from ui.screens.badge import local_time

    long_name = "Maximilian Alexander von Habsburg-Lothringen-Wittelsbach the Third"
    screen = staff_list_of(qtbot, kiosk, ("Eve Evacuee", long_name), roll_call=True)
    assert screen.print_button.isVisible() and not screen.check_out_button.isVisible()
    tr = kiosk.flow.translator
    assert screen.summary.text().endswith(
        tr("evacuation.summary", on_site=2, accounted=0, missing=2)
    )
    started = kiosk.flow.staff_desk.roll_call.started_at  # type: ignore[union-attr]
    local = local_time(started.astimezone(kiosk.config.zone), kiosk.flow.language)
    assert screen.summary.text().startswith(tr("evacuation.started", time=local))
    # The long name wraps inside its own column: its row is taller, the host column untouched.
    table = screen.people
    metrics = table.fontMetrics()
    assert metrics.horizontalAdvance(long_name) > table.columnWidth(0)  # it cannot fit one line
    assert table.rowHeight(1) >= 2 * metrics.height()  # so its row grew to show every line
    assert table.item(1, 0).text() == long_name  # not cut

    screen.set_ticked(0, True)  # Eve is accounted for
    assert screen.summary.text().endswith(
        tr("evacuation.summary", on_site=2, accounted=1, missing=1)
    )
    done = table.item(0, 3).text()
    assert done.endswith(" Desk") and ":" in done  # the time and who ticked
    click(qtbot, screen.print_button)
    qtbot.waitUntil(lambda: screen.status.text() != tr("evacuation.printing"))
    (pdf,) = Path(kiosk.config.spool_dir).glob("evacuation-*.pdf")
    # The file printer has no pages: staff are told in words, with the file's name, no path.
    assert screen.status.text() == tr("evacuation.saved", file=pdf.name)
    assert str(kiosk.config.spool_dir) not in screen.status.text()
    assert tick_boxes(pdf) == [[True, False]]

    # Staff mode locks when left alone; signing in again carries on with the same ticks.
    kiosk.flow.reset()
    sign_in(qtbot, kiosk)
    click(qtbot, kiosk.window.staff.evacuation_button)
    qtbot.waitUntil(lambda: screen.row_count() == 2)
    assert screen.ticked() == [kiosk.flow.staff_desk.roll_call.people[0].visit_id]  # type: ignore[union-attr]
    click(qtbot, screen.restart_button)  # a new roll call starts with nobody ticked
    qtbot.waitUntil(lambda: screen.row_count() == 2 and not screen.ticked())
    assert screen.summary.text().endswith(
        tr("evacuation.summary", on_site=2, accounted=0, missing=2)
    )


def test_evacuation_minutes_and_signed_in_name_in_chinese(qtbot: QtBot, kiosk: Kiosk) -> None:
    from tests.gui.conftest import to_badge

    to_badge(qtbot, kiosk, name="Eve Evacuee")
    kiosk.flow.reset()
    add_staff(kiosk.store, "林美辰 Mei-Chen", "1357", kiosk.flow.services.checkin._clock())
    kiosk.window.staff_requested.emit()
    kiosk.flow.set_language("zh-TW")
    type_text(kiosk.window.staff.pin, "1357")
    click(qtbot, kiosk.window.staff.unlock)
    qtbot.waitUntil(kiosk.window.staff.menu.isVisible)
    assert "林美辰 Mei-Chen" in kiosk.window.staff.signed_in.text()  # the name, not its id
    click(qtbot, kiosk.window.staff.onsite_button)
    screen = kiosk.window.onsite
    qtbot.waitUntil(lambda: screen.row_count() == 1)
    since = screen.people.item(0, 2).text()
    assert "分鐘" in since and "min" not in since
    kiosk.flow.set_language("en")
    assert "min on site" in screen.people.item(0, 2).text()


def test_staff_screens_need_a_signed_in_member(qtbot: QtBot, kiosk: Kiosk) -> None:
    kiosk.window.staff_requested.emit()
    kiosk.flow.staff_desk.open_people(evacuation=False)  # no PIN entered
    assert kiosk.flow.step.value == "staff"


def test_staff_screens_speak_words_not_commands(qtbot: QtBot, kiosk: Kiosk) -> None:
    """No terminal command in anything staff read, in either language; Close the kiosk sits
    apart from the everyday tasks."""
    import re

    from kiosk.i18n import catalog

    for language in ("en", "zh-TW"):
        for key, text in catalog(language).items():
            if key.startswith(("staff.", "onsite.", "evacuation.", "report.")):
                assert not re.search(r"kiosk (alerts|staff|onsite|report|evacuation|deny)", text), (
                    language,
                    key,
                    text,
                )
    sign_in(qtbot, kiosk)
    staff = kiosk.window.staff
    assert staff.exit_button.isVisible()
    assert staff.exit_button.parentWidget() is not staff.report_button.parentWidget()
    exit_top = staff.exit_button.mapTo(staff, staff.exit_button.rect().topLeft())
    report = staff.report_button.mapTo(staff, staff.report_button.rect().bottomLeft())
    assert exit_top.y() - report.y() > 80 and exit_top.x() > staff.width() // 2


def test_staff_see_how_many_check_ins_the_deny_list_flagged(qtbot: QtBot, kiosk: Kiosk) -> None:
    kiosk.store.add_alert(kiosk.flow.services.checkin._clock(), "near_match", "d1", "v1")
    sign_in(qtbot, kiosk)
    alerts = kiosk.window.staff.alerts
    qtbot.waitUntil(alerts.isVisible)
    assert alerts.text() == kiosk.flow.translator("staff.alerts", count=1)
    kiosk.flow.set_language("en")
    assert "flagged 1 check-in since" in alerts.text()
    kiosk.window.staff.show_alerts(2, kiosk.flow.translator)
    assert "flagged 2 check-ins since" in alerts.text()


@pytest.mark.parametrize("scale", [1.0, 1.5, 2.0])
def test_the_days_under_the_chart_never_run_into_each_other(
    qtbot: QtBot, kiosk: Kiosk, scale: float
) -> None:
    """At 200 % the days ran into each other ("11-1711-1811-19") and the first and last were
    cut off at the chart's edges. Each is now drawn whole, apart from the next, inside the chart;
    today always, and at 100 % every day in full."""
    sign_in(qtbot, kiosk)
    click(qtbot, kiosk.window.staff.report_button)
    chart = kiosk.window.report.chart
    qtbot.waitUntil(lambda: len(chart.bars) == 14)
    kiosk.window.set_text_scale(scale)
    qtbot.wait(30)  # let the layout settle at the new size
    metrics = QFontMetricsF(chart.font())
    placed = chart.labels()
    assert placed, "no day labelled at all"
    for rect, text in placed:
        assert metrics.horizontalAdvance(text) <= rect.width() + 0.01, text
        assert rect.left() >= 0 and rect.right() <= chart.width(), text
    lefts = sorted((rect.left(), rect.right()) for rect, _ in placed)
    assert all(right < next_left for (_, right), (next_left, _) in pairwise(lefts))
    assert placed[0][1] in ("11-25", "25")  # today
    if scale == 1.0:
        assert [text for _, text in reversed(placed)] == [label for label, _, _ in chart.bars]


def test_visitor_numbers_chart_and_csv(qtbot: QtBot, kiosk: Kiosk) -> None:
    from pathlib import Path

    from tests.gui.conftest import to_badge

    for name in ("Nina Number", "Omar Number"):
        to_badge(qtbot, kiosk, name=name)
        kiosk.flow.reset()
    sign_in(qtbot, kiosk)
    click(qtbot, kiosk.window.staff.report_button)
    chart = kiosk.window.report.chart
    qtbot.waitUntil(lambda: len(chart.bars) == 14)
    assert chart.bars[-1] == ("11-25", "25", 2) and sum(c for _, _, c in chart.bars) == 2
    assert "11-25: 2" in chart.accessibleDescription()
    meeting = kiosk.config.purposes[0].label(kiosk.flow.language)
    assert kiosk.window.report.breakdown.text() == f"{meeting} 2"
    chart.grab()  # paints without error
    click(qtbot, kiosk.window.report.export_button)
    status = kiosk.window.report.status
    qtbot.waitUntil(lambda: ".csv" in status.text())
    (csv,) = Path(kiosk.config.data_dir, "reports").glob("*.csv")
    assert csv.read_text().splitlines()[1:] == ["2026-11-25,meeting,2"]
    assert "Nina" not in csv.read_text()
    # Staff are told in words where it went: the file's name, not a path on the tablet.
    assert status.text() == kiosk.flow.translator("report.saved", file=csv.name)
    assert str(kiosk.config.data_dir) not in status.text()


def test_the_front_desk_window_is_staff_mode_only(qtbot: QtBot, kiosk: Kiosk) -> None:
    kiosk.flow.staff_window = True
    kiosk.flow.reset()
    assert kiosk.flow.step.value == "staff"
    assert not kiosk.flow.idle_timer.isActive()  # waiting for a PIN is not "idle staff mode"
    sign_in(qtbot, kiosk)
    click(qtbot, kiosk.window.staff.cancel)  # "Back": signs out, back to the PIN, never Welcome
    assert kiosk.flow.step.value == "staff" and not kiosk.window.staff.menu.isVisible()


def test_staff_window_command_without_a_display(
    tmp_path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    from kiosk.cli import main

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--data-dir", str(tmp_path), "staff"]) == 2
    assert "kiosk onsite" in capsys.readouterr().err


@pytest.mark.parametrize("on_paper", [False, True])
def test_assisted_check_in(qtbot: QtBot, kiosk: Kiosk, on_paper: bool) -> None:
    from tests.gui.conftest import fill_details

    sign_in(qtbot, kiosk)
    click(qtbot, kiosk.window.staff.assist_button)
    assert kiosk.flow.step.value == "details"
    fill_details(qtbot, kiosk, name="Assisted Guest")
    click(qtbot, kiosk.window.details.next)
    notice = kiosk.window.notice
    assert notice.paper.isVisible()
    click(qtbot, notice.paper if on_paper else notice.accept)
    qtbot.waitUntil(lambda: kiosk.flow.step.value == "badge")
    (visit,) = kiosk.store.visits()
    ack = kiosk.store.acknowledgement(visit.id)
    assert ack is not None
    assert (ack["given"], ack["recorded_by"]) == ("paper" if on_paper else "screen", "staff:desk")
    (row,) = [r for r in kiosk.store.audit_rows() if r["action"] == "checkin"]
    assert row["actor"] == "staff:desk"
    kiosk.flow.reset()
    assert not notice.paper.isVisible()  # the next guest is on their own again


def test_guests_never_see_the_paper_option(qtbot: QtBot, kiosk: Kiosk) -> None:
    from tests.gui.conftest import to_notice

    to_notice(qtbot, kiosk)
    assert not kiosk.window.notice.paper.isVisible()


def test_an_empty_on_site_list_says_so_where_the_list_would_be(qtbot: QtBot, kiosk: Kiosk) -> None:
    sign_in(qtbot, kiosk)
    click(qtbot, kiosk.window.staff.onsite_button)
    screen = kiosk.window.onsite
    qtbot.waitUntil(screen.empty_note.isVisible)
    assert not screen.people.isVisible()
    assert screen.empty_note.text() == kiosk.flow.translator("onsite.empty")
    assert screen.empty_note.height() > 100  # it fills the list's place


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_roll_call_tick_boxes_stand_out_and_grow_with_large_text(
    qtbot: QtBot, kiosk: Kiosk, scale: float
) -> None:
    """The marshal's one control: the platform drew it with a faint grey edge (about 1.2:1 on
    white) and kept it at 32 px when the text doubled. Now an empty box has a 3:1 edge, a ticked
    one is filled, and both grow with the text."""
    from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

    from tests.test_contrast import contrast
    from ui.style import theme

    screen = staff_list_of(qtbot, kiosk, ("Eve Evacuee", "Ada Absent"), roll_call=True)
    kiosk.window.set_text_scale(scale)
    screen.set_ticked(0, True)
    table = screen.people
    table.resizeRowsToContents()
    picture = table.viewport().grab().toImage()

    def box(row: int) -> tuple[int, int, int, int]:
        option = QStyleOptionViewItem()
        table.initViewItemOption(option)
        option.rect = table.visualItemRect(table.item(row, 0))
        option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
        found = table.style().subElementRect(
            QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, table
        )
        return found.left(), found.top(), found.width(), found.center().y()

    ticked_left, ticked_top, ticked_width, _ = box(0)
    empty_left, _, empty_width, empty_middle = box(1)
    assert min(ticked_width, empty_width) >= 32 * scale
    surface = theme()["surface"]  # the table's background
    edge = picture.pixelColor(empty_left + 1, empty_middle).name()
    assert contrast(edge, surface) >= 3.0, edge
    fill = picture.pixelColor(ticked_left + 4, ticked_top + 4).name()
    assert contrast(fill, surface) >= 3.0, fill


@pytest.mark.parametrize("scale", [1.0, 1.5, 2.0])
def test_the_roll_call_shows_three_people_at_once_at_any_text_size(
    qtbot: QtBot, kiosk: Kiosk, scale: float
) -> None:
    """At 200 % the list kept 440 px: two people and a half, the marshal scrolling after every
    tick. The screen scrolls in large text anyway; the list keeps room for three."""
    names = ("Eve Evacuee", "Ada Absent", "Bo Present")
    screen = staff_list_of(qtbot, kiosk, names, roll_call=True)
    kiosk.window.set_text_scale(scale)
    qtbot.wait(30)  # let the rows take their height at the new size
    table = screen.people
    rows = sum(table.rowHeight(row) for row in range(3))
    assert table.horizontalHeader().height() + rows <= table.height()
