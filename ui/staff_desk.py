"""The staff desk journey: PIN, who is here (check out, reprint), the evacuation roll call,
visitor numbers, and starting an assisted check-in.

A controller of its own over the flow's window and services (``ui.journey.Flow``); answers from
workers go through ``session.current`` and are dropped once the staff session has ended.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject

from kiosk.enrolment import Enrolled, EnrolmentError
from kiosk.models import OnSite
from kiosk.rollcall import RollCall
from kiosk.staff import PinCheck
from printers import PrintResult
from printers.pages import Outcome
from ui.journey import Flow
from ui.screens.badge import local_time
from ui.steps import Step

RESUME = timedelta(hours=2)  # an open roll call is carried on, not restarted, within this
T = TypeVar("T")


class StaffDesk(QObject):
    def __init__(self, flow: Flow) -> None:
        super().__init__()
        self.flow = flow
        # The roll call outlives the staff session: staff mode locks after two idle minutes
        # at the assembly point, and staff who sign in again carry on with the same ticks.
        self.roll_call: RollCall | None = None
        window = flow.window
        window.staff_requested.connect(self.open)
        window.staff.pin_entered.connect(self._on_pin_entered)
        window.staff.onsite_requested.connect(lambda: self.open_people(evacuation=False))
        window.staff.evacuation_requested.connect(lambda: self.open_people(evacuation=True))
        window.staff.report_requested.connect(self._on_report_requested)
        window.staff.assist_requested.connect(self._on_assist_requested)
        window.onsite.back.connect(lambda: flow.go(Step.STAFF))
        window.onsite.search_changed.connect(self._load_people)
        window.onsite.check_out.connect(self._on_check_out)
        window.onsite.reprint.connect(self._on_reprint)
        window.onsite.print_list.connect(self._on_print_list)
        window.onsite.tick_changed.connect(self._on_tick_changed)
        window.onsite.restart.connect(self._on_restart_roll_call)
        window.report.back.connect(lambda: flow.go(Step.STAFF))
        window.report.export.connect(self._on_export_report)
        window.staff.join_hub_requested.connect(self._on_join_hub_requested)
        window.join_hub.back.connect(lambda: flow.go(Step.STAFF))
        window.join_hub.join.connect(self._on_join_hub)

    def open(self) -> None:
        flow = self.flow
        if flow.step is not Step.STAFF:
            flow.leave_welcome()
            flow.go(Step.STAFF)
            flow.window.staff.pin.setFocus()

    def _on_pin_entered(self) -> None:
        pin = self.flow.window.staff.pin.text()
        checked = self.flow.session.current(self._on_checked)
        self.flow.workers.submit(
            lambda: self.flow.services.staff_check(pin),
            checked,
            lambda _error: checked(PinCheck(None)),
            guest=True,
        )

    def _on_checked(self, check: PinCheck) -> None:
        flow = self.flow
        staff = flow.window.staff
        if check.ok:
            flow.session.sign_in(check.staff_id or "", check.staff_name)
            staff.show_menu(flow.session.staff_name, flow.translator)
            self._task(
                flow.services.alert_count, lambda count: staff.show_alerts(count, flow.translator)
            )
        elif check.wait_seconds:
            staff.show_problem("staff.locked", flow.translator, seconds=check.wait_seconds)
        else:
            staff.show_problem("staff.wrong_pin", flow.translator)

    def _task(self, work: Callable[[], T], done: Callable[[T], None]) -> None:
        """Staff work in the background; its answer only while the same staff are signed in."""
        flow = self.flow
        flow.workers.submit(
            work,
            flow.session.current(done),
            lambda _error: flow.window.onsite.set_status("errors.save_failed", flow.translator),
        )

    # -- who is here and the roll call ------------------------------------------------------

    def open_people(self, evacuation: bool) -> None:
        flow = self.flow
        if not flow.session.staff_id:
            return
        flow.window.onsite.show_mode(evacuation, flow.translator)
        flow.go(Step.ONSITE)
        roll_call = self.roll_call
        if evacuation and roll_call and flow.services.clock() - roll_call.started_at < RESUME:
            self._show_people(roll_call.people)
            self._show_ticks()
            return
        self._load_people("", self._start_roll_call if evacuation else None)

    def _on_restart_roll_call(self) -> None:
        self.roll_call = None
        self.open_people(evacuation=True)

    def _start_roll_call(self, people: list[OnSite]) -> None:
        """The roll call is a snapshot of who was on site when it was opened."""
        self.roll_call = RollCall(self.flow.services.clock(), list(people))
        self._show_ticks()

    def _on_tick_changed(self, visit_id: str, accounted: bool) -> None:
        if self.roll_call is None:
            return
        if accounted:
            self.roll_call.tick(visit_id, self.flow.services.clock(), self.flow.session.staff_name)
        else:
            self.roll_call.untick(visit_id)
        self._show_ticks()

    def _show_ticks(self) -> None:
        if self.roll_call is None:
            return
        flow = self.flow
        zone = flow.config.zone
        ticks = {
            visit_id: f"{local_time(tick.at.astimezone(zone), flow.language)} {tick.by}"
            for visit_id, tick in self.roll_call.ticks.items()
        }
        started = local_time(self.roll_call.started_at.astimezone(zone), flow.language)
        flow.window.onsite.show_roll_call(self.roll_call, started, ticks, flow.translator)

    def _load_people(self, query: str, then: Callable[[list[OnSite]], None] | None = None) -> None:
        def done(people: list[OnSite]) -> None:
            self._show_people(people)
            if then is not None:
                then(people)

        self._task(lambda: self.flow.services.onsite(query), done)

    def _show_people(self, people: list[OnSite]) -> None:
        flow = self.flow
        zone = flow.config.zone
        since = {
            p.visit_id: local_time(p.checked_in_at.astimezone(zone), flow.language) for p in people
        }
        flow.window.onsite.show_people(people, since, flow.translator)

    def _on_check_out(self, visit_ids: list[str]) -> None:
        flow = self.flow
        staff = flow.session.staff_id

        def done(count: int) -> None:
            self._load_people(
                flow.window.onsite.search.text(),
                lambda _people: flow.window.onsite.set_status(
                    "onsite.done", flow.translator, count=count
                ),
            )

        self._task(lambda: flow.services.staff_checkout(visit_ids, staff), done)

    def _on_reprint(self, visit_id: str) -> None:
        flow = self.flow

        def done(result: PrintResult) -> None:
            status = "onsite.reprinted" if result.ok else "badge.print_failed"
            flow.window.onsite.set_status(status, flow.translator)

        flow.services.reprint(visit_id, flow.session.staff_id, flow.session.current(done))

    def _on_print_list(self) -> None:
        roll_call = self.roll_call
        if roll_call is None:
            return
        flow = self.flow

        def done(outcome: Outcome) -> None:
            flow.window.onsite.set_status(
                f"evacuation.{outcome.kind}",
                flow.translator,
                file=outcome.path.name,
                queue=outcome.queue,
            )

        flow.window.onsite.set_status("evacuation.printing", flow.translator)
        self._task(lambda: flow.services.print_roll_call(roll_call), done)

    # -- visitor numbers and assisted check-in ----------------------------------------------

    def _on_report_requested(self) -> None:
        flow = self.flow
        if not flow.session.staff_id:
            return
        flow.go(Step.REPORT)

        def done(result: tuple[list[tuple[str, int]], list[tuple[str, int]]]) -> None:
            days, by_purpose = result
            labelled = [(self._purpose_label(key), count) for key, count in by_purpose]
            flow.window.report.show_numbers(days, labelled)

        self._task(flow.services.numbers, done)

    def _purpose_label(self, key: str) -> str:
        purpose = self.flow.config.purpose(key)
        return purpose.label(self.flow.language) if purpose else key

    def _on_export_report(self) -> None:
        flow = self.flow

        def done(path: Path) -> None:
            flow.window.report.set_status("report.saved", flow.translator, file=path.name)

        self._task(flow.services.export_csv, done)

    # -- joining the site's hub ---------------------------------------------------------------

    def _on_join_hub_requested(self) -> None:
        flow = self.flow
        if not flow.session.staff_id:
            return
        flow.window.join_hub.reset()
        flow.window.join_hub.url.setText(flow.config.hub_url)
        flow.go(Step.JOIN_HUB)
        screen = flow.window.join_hub
        (screen.code if screen.url.text() else screen.url).setFocus()

    def _on_join_hub(self, url: str, code: str) -> None:
        flow = self.flow
        screen = flow.window.join_hub
        join = flow.services.join_hub
        if join is None:
            return
        screen.set_status("join_hub.joining", flow.translator)

        def done(enrolled: Enrolled) -> None:
            if flow.services.hub_joined is not None:
                flow.services.hub_joined(enrolled)
            config = flow.config
            same = (enrolled.site, enrolled.kiosk_id) == (config.site_name, config.kiosk_id)
            status = "join_hub.joined" if same else "join_hub.joined_site"
            screen.set_status(status, flow.translator, kiosk=enrolled.kiosk_id, site=enrolled.site)

        def failed(error: BaseException) -> None:
            reason = str(error) if isinstance(error, EnrolmentError) else type(error).__name__
            screen.set_status("join_hub.refused", flow.translator, reason=reason)

        flow.workers.submit(
            lambda: join(url, code), flow.session.current(done), flow.session.current(failed)
        )

    def _on_assist_requested(self) -> None:
        """Staff start a check-in for a guest: the guest still reads the notice here, or staff
        record that it was handed over on paper."""
        flow = self.flow
        flow.session.assisting = flow.session.staff_id
        flow.window.details.reset()
        flow.window.notice.paper.setVisible(True)
        flow.go(Step.DETAILS)
        flow.window.details.name.setFocus()
