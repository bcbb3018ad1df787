"""The guest flow as a small state machine: which screen is shown, in which language, and when
everything about the current guest is forgotten.

Slow work (saving, QR rendering, printing) runs in workers; its answers carry the session number
they belong to, so an answer arriving after an idle reset never shows one guest's data to the next.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication, QImage

from kiosk.badges import BadgeTokens
from kiosk.checkin import (
    CheckinResult,
    CheckinService,
    NoticeNotAcknowledgedError,
    SeeFrontDeskError,
)
from kiosk.checkout import CheckoutError, CheckoutService
from kiosk.config import Config
from kiosk.i18n import Translator
from kiosk.invitations import Invitation, InvitationError
from kiosk.models import OnSite, Visit
from kiosk.qr import qr_image
from kiosk.rollcall import RollCall
from kiosk.staff import PinCheck
from kiosk.tokens import short_code
from kiosk.validation import ValidationError, validate
from printers import PrintResult
from printers.pages import Outcome
from ui.camera import CameraScanner
from ui.staff_flow import StaffFlow
from ui.steps import Step
from ui.style import TEXT_SCALES
from ui.window import KioskWindow
from ui.workers import Workers

log = logging.getLogger(__name__)
DONE_SCREEN_SECONDS = 10
BANNER_SECONDS = 15


@dataclass(frozen=True)
class Services:
    """The core services the flow drives, built once in ``ui.app``."""

    checkin: CheckinService
    tokens: BadgeTokens
    checkout: CheckoutService
    print_job: Callable[[str, Callable[[PrintResult], None]], None]
    printer_name: str
    staff_check: Callable[[str], PinCheck]
    onsite: Callable[[str], list[OnSite]]
    staff_checkout: Callable[[Sequence[str], str], int]
    reprint: Callable[[str, str, Callable[[PrintResult], None]], None]
    print_roll_call: Callable[[RollCall], Outcome]
    alert_count: Callable[[], int]
    find_invitation: Callable[[str], Invitation]
    use_invitation: Callable[[str, str], bool]
    numbers: Callable[[], tuple[list[tuple[str, int]], list[tuple[str, int]]]]
    export_csv: Callable[[], Path]
    clock: Callable[[], datetime]
    camera: CameraScanner | None = None


@dataclass(frozen=True)
class Saved:
    """A stored check-in and its on-screen QR, handed from the worker to the GUI thread."""

    result: CheckinResult
    qr: QImage


def render_qr(token: str) -> QImage:
    """The badge QR as a QImage; safe off the GUI thread (QImage, unlike QPixmap, is)."""
    image = qr_image(token, module_px=8)
    data = image.tobytes()
    qimage = QImage(data, image.width, image.height, image.width, QImage.Format.Format_Grayscale8)
    return qimage.copy()  # own the pixels: ``data`` goes away with this function


def _clear_clipboard() -> None:
    """Nothing one guest copied may be pasted by the next."""
    clipboard = QGuiApplication.clipboard()
    clipboard.clear(QClipboard.Mode.Clipboard)
    if clipboard.supportsSelection():
        clipboard.clear(QClipboard.Mode.Selection)


def _ignore(_result: object) -> None:
    """Callback for background work whose result nobody waits for."""


def _log_failure(error: BaseException) -> None:
    log.warning("background housekeeping failed: %s", type(error).__name__)


STAFF_IDLE_SECONDS = 120


class CheckinFlow(StaffFlow, QObject):
    step_changed = Signal(str)
    checked_in = Signal()
    exit_requested = Signal()

    def __init__(
        self, window: KioskWindow, config: Config, workers: Workers, services: Services
    ) -> None:
        super().__init__()
        self.window = window
        self._service = services.checkin
        self.services = services
        self._config = config
        self._workers = workers
        self._print_job = services.print_job
        self._printer_name = services.printer_name
        self._session = 0
        self.step = Step.WELCOME
        self._staff_id = ""
        self._staff_name = ""
        self._roll_call: RollCall | None = None
        self.staff_window = False  # a front-desk PC: staff mode is home, there is no guest flow
        self._assisting = ""  # the staff id while staff check a guest in
        self._invitation_code = ""  # the invitation this check-in fulfils, if any
        self.language = config.default_language
        self._translators = {self.language: Translator(self.language)}
        self.tr = self._translators[self.language]

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(config.idle_timeout_seconds * 1000)
        self.idle_timer.timeout.connect(self._on_idle_timeout)
        self.done_timer = QTimer(self)
        self.done_timer.setSingleShot(True)
        self.done_timer.setInterval(DONE_SCREEN_SECONDS * 1000)
        self.done_timer.timeout.connect(self._on_done_finished)
        self.banner_timer = QTimer(self)
        self.banner_timer.setSingleShot(True)
        self.banner_timer.setInterval(BANNER_SECONDS * 1000)
        self.banner_timer.timeout.connect(self._on_banner_expired)
        self._connect()
        self.set_language(self.language)
        self._go(Step.WELCOME)

    def _connect(self) -> None:
        w = self.window
        w.language_chosen.connect(self.set_language)
        w.text_size_clicked.connect(self._on_text_size_clicked)
        w.welcome.language_chosen.connect(self.set_language)
        w.welcome.start.connect(self._on_start)
        w.welcome.checkout.connect(self._on_checkout_start)
        w.welcome.invitation.connect(self._on_invitation_start)
        w.invitation.submitted.connect(self._on_invitation_submitted)
        w.invitation.cancelled.connect(self._on_cancelled)
        w.checkout.submitted.connect(self._on_checkout_submitted)
        w.checkout.cancelled.connect(self._on_cancelled)
        w.staff_requested.connect(self._on_staff_requested)
        w.staff.pin_entered.connect(self._on_staff_pin_entered)
        w.staff.cancelled.connect(self._on_cancelled)
        w.staff.exit_requested.connect(self.exit_requested)
        w.staff.onsite_requested.connect(lambda: self._open_people(evacuation=False))
        w.staff.evacuation_requested.connect(lambda: self._open_people(evacuation=True))
        w.onsite.back.connect(lambda: self._go(Step.STAFF))
        w.onsite.search_changed.connect(self._load_people)
        w.onsite.check_out.connect(self._on_staff_check_out)
        w.onsite.reprint.connect(self._on_staff_reprint)
        w.onsite.print_list.connect(self._on_print_list)
        w.onsite.tick_changed.connect(self._on_tick_changed)
        w.onsite.restart.connect(self._on_restart_roll_call)
        w.staff.report_requested.connect(self._on_report_requested)
        w.report.back.connect(lambda: self._go(Step.STAFF))
        w.report.export.connect(self._on_export_report)
        if self.services.camera is not None:
            w.checkout.add_camera(self.services.camera.viewfinder)
            self.services.camera.found.connect(self.submit_checkout)
        w.details.submitted.connect(self._on_details_submitted)
        w.details.cancelled.connect(self._on_cancelled)
        w.notice.accepted.connect(self._on_notice_accepted)
        w.notice.given_on_paper.connect(lambda: self._on_notice_accepted(on_paper=True))
        w.staff.assist_requested.connect(self._on_assist_requested)
        w.notice.declined.connect(self._on_notice_declined)
        w.notice.back.connect(self._on_notice_back)
        w.badge.done.connect(self._on_badge_done)
        w.done.finished.connect(self._on_done_finished)

    # -- state -----------------------------------------------------------------------------

    def set_language(self, language: str) -> None:
        """Switch every visible string now, on whatever screen the guest is."""
        if language not in self._config.languages:
            return
        self.language = language
        if language not in self._translators:
            self._translators[language] = Translator(language)
        self.tr = self._translators[language]
        self.window.retranslate(self.tr, language)
        if self.step is Step.NOTICE:
            self._show_notices()
        if self.step is Step.DETAILS and self.window.details.has_errors():
            self._check_details()

    def user_activity(self) -> None:
        """Any touch or key press: the guest is still here."""
        if self.step is not Step.WELCOME:
            self.idle_timer.start()

    def reset(self, banner_id: str = "") -> None:
        """Forget the current guest completely and return to Welcome.

        A banner (declined, timed out) is shown in the language the guest was using; once it
        expires the kiosk returns to the site's default language for the next guest.
        """
        self._session += 1
        self._staff_id = self._staff_name = ""
        self._assisting = ""
        self._invitation_code = ""
        self.window.notice.paper.setVisible(False)
        self.idle_timer.stop()
        self.done_timer.stop()
        self.window.reset_all()
        self.window.set_text_scale(1.0)
        _clear_clipboard()
        if self.staff_window:
            self._go(Step.STAFF)
            self.window.staff.pin.setFocus()
            return
        self._go(Step.WELCOME)
        if banner_id:
            self.window.welcome.show_banner(banner_id, self.tr)
            self.banner_timer.start()
        else:
            self.set_language(self._config.default_language)

    def _go(self, step: Step) -> None:
        camera = self.services.camera
        if camera is not None and step is not self.step:
            if step is Step.CHECKOUT:
                camera.start()
            elif self.step is Step.CHECKOUT:
                camera.stop()
        self.step = step
        self.window.show_step(step.value)
        staff_step = step in (Step.STAFF, Step.ONSITE, Step.REPORT)
        idle_seconds = STAFF_IDLE_SECONDS if staff_step else self._config.idle_timeout_seconds
        self.idle_timer.setInterval(idle_seconds * 1000)
        if step is Step.WELCOME or (
            self.staff_window and step is Step.STAFF and not self._staff_id
        ):
            self.idle_timer.stop()
        else:
            self.idle_timer.start()
        if step is Step.DONE:
            self.done_timer.start()
        self.step_changed.emit(step.value)

    # -- slots -----------------------------------------------------------------------------

    def _on_text_size_clicked(self) -> None:
        scales = TEXT_SCALES
        current = scales.index(self.window.text_scale) if self.window.text_scale in scales else 0
        self.window.set_text_scale(scales[(current + 1) % len(scales)])

    def _on_start(self) -> None:
        self.banner_timer.stop()
        self.window.welcome.reset()
        self._go(Step.DETAILS)
        self.window.details.name.setFocus()

    def _on_cancelled(self) -> None:
        self.reset()

    def _check_details(self) -> bool:
        details = self.window.details
        try:
            validate(details.form(self.language), self._config, self._service.directory.is_active)
        except ValidationError as error:
            details.show_errors(error.errors, self.tr("errors.summary"))
            return False
        details.show_errors({}, "")
        return True

    def _on_details_submitted(self) -> None:
        if self._check_details():
            self._show_notices()
            self._go(Step.NOTICE)
            # The notice first, for a screen reader and for Enter: nothing is accepted unread.
            self.window.notice.text.setFocus()

    def _show_notices(self) -> None:
        host_id = self.window.details.host.host_id()
        self.window.notice.show_notice(
            self._service.current_notice(self.language),
            self._service.company_notice(self.language, host_id),
        )

    def _on_notice_back(self) -> None:
        self._go(Step.DETAILS)

    def _on_notice_declined(self) -> None:
        log.info("notice declined; nothing stored")
        self.reset(banner_id="welcome.declined")

    def _on_notice_accepted(self, on_paper: bool = False) -> None:
        notice = self.window.notice.notice
        company_notice = self.window.notice.company_notice
        form = self.window.details.form(self.language)
        copy = self.window.details.wants_copy()
        assisting = self._assisting
        invitation_code = self._invitation_code
        session = self._session
        self.window.notice.set_busy(True)

        def save() -> Saved:
            result = self._service.check_in(
                form,
                notice,
                company_notice,
                visitor_copy=copy,
                assisted_by=assisting,
                notice_on_paper=on_paper and bool(assisting),
            )
            if invitation_code:
                self.services.use_invitation(invitation_code, result.visit.id)
            return Saved(result, render_qr(self.services.tokens.token_for(result.visit)))

        self._workers.submit(
            save,
            lambda saved: self._on_saved(session, saved),
            lambda error: self._on_save_failed(session, error),
            expected=(ValidationError, NoticeNotAcknowledgedError, SeeFrontDeskError),
            guest=True,
        )

    def _on_saved(self, session: int, saved: Saved) -> None:
        if session != self._session:
            return
        visit = saved.result.visit
        checked_in = visit.checked_in_at.astimezone(self._config.zone)
        self.window.badge.show_visit(
            visit.first_name,
            saved.result.host_name,
            checked_in,
            short_code(visit.id),
            saved.qr,
            self.tr,
        )
        self._go(Step.BADGE)
        self.window.badge.done_button.setFocus()
        self.checked_in.emit()
        self._workers.submit(self._service.housekeeping, _ignore, _log_failure)
        if self._printer_name == "none":
            self.window.badge.set_status("badge.on_screen", self.tr)
            return
        self._print_job(visit.id, lambda result: self._on_printed(session, result))

    def _on_save_failed(self, session: int, error: BaseException) -> None:
        if session != self._session:
            return
        notice = self.window.notice
        notice.set_busy(False)
        if isinstance(error, SeeFrontDeskError):
            self.reset(banner_id="errors.see_front_desk")
        elif isinstance(error, ValidationError):
            self._go(Step.DETAILS)
            self.window.details.show_errors(error.errors, self.tr("errors.summary"))
        elif isinstance(error, NoticeNotAcknowledgedError):
            self._show_notices()
            notice.show_error("errors.notice_not_accepted", self.tr)
        else:
            log.error("check-in could not be saved: %s", type(error).__name__)
            notice.show_error("errors.save_failed", self.tr)

    def _on_printed(self, session: int, result: PrintResult) -> None:
        if session != self._session:
            return
        if not result.ok:
            log.warning("badge not printed: %s", result.message)
            status = "badge.print_failed"
        else:
            # The file spool is for trying the kiosk out: nothing comes out of a printer and
            # nobody at the desk is told, so the guest keeps the code on screen.
            status = "badge.on_screen" if self._printer_name == "file" else "badge.printed"
        self.window.badge.set_status(status, self.tr)

    def _on_checkout_start(self) -> None:
        self.banner_timer.stop()
        self.window.welcome.reset()
        self._go(Step.CHECKOUT)
        self.window.checkout.code.setFocus()

    def _on_invitation_start(self) -> None:
        self.banner_timer.stop()
        self.window.welcome.reset()
        self._go(Step.INVITATION)
        self.window.invitation.code.setFocus()

    def _on_invitation_submitted(self) -> None:
        code = self.window.invitation.code.text()
        session = self._session
        self._workers.submit(
            lambda: self.services.find_invitation(code),
            lambda invitation: self._on_invitation_found(session, invitation),
            lambda error: self._on_invitation_refused(session, error),
            expected=(InvitationError,),
            guest=True,
        )

    def _on_invitation_found(self, session: int, invitation: Invitation) -> None:
        if session != self._session:
            return
        self._invitation_code = invitation.code
        host = self._service.directory.get(invitation.host_id)
        self.window.details.prefill(invitation.name, invitation.email, host)
        self._go(Step.DETAILS)
        self.window.details.next.setFocus()

    def _on_invitation_refused(self, session: int, error: BaseException) -> None:
        if session == self._session:
            reason = error.reason if isinstance(error, InvitationError) else "errors.save_failed"
            self.window.invitation.show_problem(reason, self.tr)

    def submit_checkout(self, code: str) -> None:
        """Check out by typed code or scanned badge; the answer comes back on the GUI thread."""
        session = self._session
        self._workers.submit(
            lambda: self.services.checkout.check_out(code),
            lambda visit: self._on_checked_out(session, visit),
            lambda error: self._on_checkout_failed(session, error),
            expected=(CheckoutError,),
            guest=True,
        )

    def _on_checkout_submitted(self) -> None:
        code = self.window.checkout.code.text()
        if code.strip():
            self.submit_checkout(code)
        else:
            self.window.checkout.show_problem("checkout.not_found", self.tr)

    def _on_checked_out(self, session: int, visit: Visit) -> None:
        if session == self._session:
            self.window.checkout.show_goodbye(visit.first_name, self.tr)
            self.done_timer.start()

    def _on_checkout_failed(self, session: int, error: BaseException) -> None:
        if session != self._session:
            return
        reason = error.reason if isinstance(error, CheckoutError) else "errors.save_failed"
        self.window.checkout.show_problem(reason, self.tr)

    def _on_badge_done(self) -> None:
        self._go(Step.DONE)

    def _on_done_finished(self) -> None:
        self.reset()

    def _on_banner_expired(self) -> None:
        if self.step is Step.WELCOME:
            self.window.welcome.reset()
            self.set_language(self._config.default_language)

    def _on_idle_timeout(self) -> None:
        if self.step is not Step.WELCOME:
            log.info("idle timeout on %s; screen cleared", self.step.value)
            self.reset(banner_id="welcome.timed_out")
