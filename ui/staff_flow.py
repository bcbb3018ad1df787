"""The staff side of the flow: PIN, who is here, evacuation, visitor numbers, assisted check-in.

A mixin of ``CheckinFlow`` (it uses the flow's window, workers, services and session number), kept
apart so the guest path reads on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from kiosk.models import OnSite
from kiosk.rollcall import RollCall
from kiosk.staff import PinCheck
from printers import PrintResult
from printers.pages import Outcome
from ui.screens.badge import local_time
from ui.steps import Step

RESUME = timedelta(hours=2)  # an open roll call is carried on, not restarted, within this


class StaffFlow:
    """Staff handlers; every method runs on a ``CheckinFlow``."""

    def _on_staff_requested(self) -> None:
        if self.step is not Step.STAFF:
            self.banner_timer.stop()
            self.window.welcome.reset()
            self._go(Step.STAFF)
            self.window.staff.pin.setFocus()

    def _on_staff_pin_entered(self) -> None:
        pin = self.window.staff.pin.text()
        session = self._session
        self._workers.submit(
            lambda: self.services.staff_check(pin),
            lambda check: self._on_staff_checked(session, check),
            lambda error: self._on_staff_checked(session, PinCheck(None)),
            guest=True,
        )

    def _on_staff_checked(self, session: int, check: PinCheck) -> None:
        if session != self._session:
            return
        staff = self.window.staff
        if check.ok:
            self._staff_id = check.staff_id or ""
            self._staff_name = check.staff_name or self._staff_id
            staff.show_menu(self._staff_name, self.tr)
            self._staff_task(
                self.services.alert_count,
                lambda count: staff.show_alerts(int(count), self.tr),  # type: ignore[call-overload]
            )
        elif check.wait_seconds:
            staff.show_problem("staff.locked", self.tr, seconds=check.wait_seconds)
        else:
            staff.show_problem("staff.wrong_pin", self.tr)

    def _staff_task(self, work: Callable[[], object], done: Callable[[object], None]) -> None:
        session = self._session
        self._workers.submit(
            work,
            lambda result: done(result) if session == self._session else None,
            lambda error: self.window.onsite.set_status("errors.save_failed", self.tr),
        )

    def _open_people(self, evacuation: bool) -> None:
        if not self._staff_id:
            return
        self.window.onsite.show_mode(evacuation, self.tr)
        self._go(Step.ONSITE)
        roll_call = self._roll_call
        if evacuation and roll_call and self.services.clock() - roll_call.started_at < RESUME:
            self._show_people(roll_call.people)
            self._show_ticks()
            return
        self._load_people("", self._start_roll_call if evacuation else None)

    def _on_restart_roll_call(self) -> None:
        self._roll_call = None
        self._open_people(evacuation=True)

    def _start_roll_call(self, people: list[OnSite]) -> None:
        """The roll call is a snapshot of who was on site when it was opened. It outlives the
        staff session (staff mode locks after two idle minutes at the assembly point), so staff
        who sign in again within ``RESUME`` carry on with the same ticks."""
        self._roll_call = RollCall(self.services.clock(), list(people))
        self._show_ticks()

    def _on_tick_changed(self, visit_id: str, accounted: bool) -> None:
        if self._roll_call is None:
            return
        if accounted:
            self._roll_call.tick(visit_id, self.services.clock(), self._staff_name)
        else:
            self._roll_call.untick(visit_id)
        self._show_ticks()

    def _show_ticks(self) -> None:
        if self._roll_call is None:
            return
        zone = self._config.zone
        ticks = {
            visit_id: f"{local_time(tick.at.astimezone(zone), self.language)} {tick.by}"
            for visit_id, tick in self._roll_call.ticks.items()
        }
        started = local_time(self._roll_call.started_at.astimezone(zone), self.language)
        self.window.onsite.show_roll_call(self._roll_call, started, ticks, self.tr)

    def _load_people(self, query: str, then: Callable[[list[OnSite]], None] | None = None) -> None:
        def done(result: object) -> None:
            people: list[OnSite] = result  # type: ignore[assignment]
            self._show_people(people)
            if then is not None:
                then(people)

        self._staff_task(lambda: self.services.onsite(query), done)

    def _show_people(self, people: list[OnSite]) -> None:
        zone = self._config.zone
        since = {
            p.visit_id: local_time(p.checked_in_at.astimezone(zone), self.language) for p in people
        }
        self.window.onsite.show_people(people, since, self.tr)

    def _on_staff_check_out(self, visit_ids: list[str]) -> None:
        staff = self._staff_id

        def done(count: object) -> None:
            self._load_people(
                self.window.onsite.search.text(),
                lambda _people: self.window.onsite.set_status("onsite.done", self.tr, count=count),
            )

        self._staff_task(lambda: self.services.staff_checkout(visit_ids, staff), done)

    def _on_staff_reprint(self, visit_id: str) -> None:
        staff = self._staff_id

        def done(result: object) -> None:
            ok = isinstance(result, PrintResult) and result.ok
            self.window.onsite.set_status(
                "onsite.reprinted" if ok else "badge.print_failed", self.tr
            )

        session = self._session
        self.services.reprint(
            visit_id, staff, lambda result: done(result) if session == self._session else None
        )

    def _on_print_list(self) -> None:
        roll_call = self._roll_call
        if roll_call is None:
            return

        def done(result: object) -> None:
            outcome: Outcome = result  # type: ignore[assignment]
            self.window.onsite.set_status(
                f"evacuation.{outcome.kind}", self.tr, file=outcome.path.name, queue=outcome.queue
            )

        self.window.onsite.set_status("evacuation.printing", self.tr)
        self._staff_task(lambda: self.services.print_roll_call(roll_call), done)

    def _on_report_requested(self) -> None:
        if not self._staff_id:
            return
        self._go(Step.REPORT)

        def done(result: object) -> None:
            days, by_purpose = result  # type: ignore[misc]
            labelled = [(self._purpose_label(key), count) for key, count in by_purpose]
            self.window.report.show_numbers(days, labelled)

        self._staff_task(self.services.numbers, done)

    def _purpose_label(self, key: str) -> str:
        purpose = self._config.purpose(key)
        return purpose.label(self.language) if purpose else key

    def _on_export_report(self) -> None:
        self._staff_task(
            self.services.export_csv,
            lambda path: self.window.report.set_status(
                "report.saved",
                self.tr,
                file=path.name,  # type: ignore[attr-defined]
            ),
        )

    def _on_assist_requested(self) -> None:
        """Staff start a check-in for a guest: the guest still reads the notice here, or staff
        record that it was handed over on paper."""
        self._assisting = self._staff_id
        self.window.details.reset()
        self.window.notice.paper.setVisible(True)
        self._go(Step.DETAILS)
        self.window.details.name.setFocus()
