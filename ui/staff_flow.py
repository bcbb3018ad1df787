"""The staff side of the flow: PIN, who is here, evacuation, visitor numbers, assisted check-in.

A mixin of ``CheckinFlow`` (it uses the flow's window, workers, services and session number), kept
apart so the guest path reads on its own.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.onsite import OnSite
from kiosk.staff import PinCheck
from printers import PrintResult
from ui.screens.badge import local_time
from ui.steps import Step


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
            staff.show_menu(self._staff_id, self.tr)
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
        self._load_people("")

    def _load_people(self, query: str, then: Callable[[], None] | None = None) -> None:
        def done(result: object) -> None:
            people: list[OnSite] = result  # type: ignore[assignment]
            zone = self._config.zone
            since = {
                p.visit_id: local_time(p.checked_in_at.astimezone(zone), self.language)
                for p in people
            }
            self.window.onsite.show_people(people, since, self.tr)
            if then is not None:
                then()

        self._staff_task(lambda: self.services.onsite(query), done)

    def _on_staff_check_out(self, visit_ids: list[str]) -> None:
        staff = self._staff_id

        def done(count: object) -> None:
            self._load_people(
                self.window.onsite.search.text(),
                lambda: self.window.onsite.set_status("onsite.done", self.tr, count=count),
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
        self._staff_task(
            self.services.evacuation_pdf,
            lambda path: self.window.onsite.set_status("evacuation.saved", self.tr, path=path),
        )

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
            lambda path: self.window.report.set_status("report.saved", self.tr, path=path),
        )

    def _on_assist_requested(self) -> None:
        """Staff start a check-in for a guest: the guest still reads the notice here, or staff
        record that it was handed over on paper."""
        self._assisting = self._staff_id
        self.window.details.reset()
        self.window.notice.paper.setVisible(True)
        self._go(Step.DETAILS)
        self.window.details.name.setFocus()
