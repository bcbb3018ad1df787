"""The guest flow as a small state machine: which screen is shown, in which language, and when
everything about the current guest is forgotten.

Slow work (saving, QR rendering, printing) runs in workers; its answers carry the session number
they belong to, so an answer arriving after an idle reset never shows one guest's data to the next.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication, QImage

from kiosk.checkin import (
    CheckinRequest,
    CheckinResult,
    NoticeNotAcknowledgedError,
    SeeFrontDeskError,
)
from kiosk.config import Config
from kiosk.i18n import Translator
from kiosk.qr import qr_image
from kiosk.records import record
from kiosk.tokens import short_code
from kiosk.validation import ValidationError, validate
from printers import PrintResult
from ui.checkout_journey import CheckoutJourney
from ui.invitation_journey import InvitationJourney
from ui.services import Services
from ui.session import GuestSession
from ui.staff_desk import StaffDesk
from ui.steps import Step
from ui.style import TEXT_SCALES
from ui.window import KioskWindow
from ui.workers import Workers

log = logging.getLogger(__name__)
DONE_SCREEN_SECONDS = 10
BANNER_SECONDS = 15


@record
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


class CheckinFlow(QObject):
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
        self.config = config
        self.workers = workers
        self._print_job = services.print_job
        self._printer_name = services.printer_name
        self.session = GuestSession()
        self.step = Step.WELCOME
        self.staff_window = False  # a front-desk PC: staff mode is home, there is no guest flow
        self.language = config.default_language
        self._translators = {self.language: Translator(self.language)}
        self.translator = self._translators[self.language]

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
        self.go(Step.WELCOME)

    def _connect(self) -> None:
        w = self.window
        w.language_chosen.connect(self.set_language)
        w.text_size_clicked.connect(self._on_text_size_clicked)
        w.welcome.language_chosen.connect(self.set_language)
        w.welcome.start.connect(self._on_start)
        w.staff.cancelled.connect(self._on_cancelled)
        w.staff.exit_requested.connect(self.exit_requested)
        w.details.submitted.connect(self._on_details_submitted)
        w.details.cancelled.connect(self._on_cancelled)
        w.notice.accepted.connect(self._on_notice_accepted)
        w.notice.given_on_paper.connect(lambda: self._on_notice_accepted(on_paper=True))
        w.notice.declined.connect(self._on_notice_declined)
        w.notice.back.connect(self._on_notice_back)
        w.badge.done.connect(self._on_badge_done)
        w.done.finished.connect(self._on_done_finished)
        # The other journeys, each a controller of its own over this window.
        self.staff_desk = StaffDesk(self)
        self.checkout = CheckoutJourney(self)
        self.invitation = InvitationJourney(self)

    # -- state -----------------------------------------------------------------------------

    def set_language(self, language: str) -> None:
        """Switch every visible string now, on whatever screen the guest is."""
        if language not in self.config.languages:
            return
        self.language = language
        if language not in self._translators:
            self._translators[language] = Translator(language)
        self.translator = self._translators[language]
        self.window.retranslate(self.translator, language)
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
        self.session.forget()
        self.window.notice.paper.setVisible(False)
        self.idle_timer.stop()
        self.done_timer.stop()
        self.window.reset_all()
        self.window.set_text_scale(1.0)
        _clear_clipboard()
        if self.staff_window:
            self.go(Step.STAFF)
            self.window.staff.pin.setFocus()
            return
        self.go(Step.WELCOME)
        if banner_id:
            self.window.welcome.show_banner(banner_id, self.translator)
            self.banner_timer.start()
        else:
            self.set_language(self.config.default_language)

    def go(self, step: Step) -> None:
        camera = self.services.camera
        if camera is not None and step is not self.step:
            if step is Step.CHECKOUT:
                camera.start()
            elif self.step is Step.CHECKOUT:
                camera.stop()
        self.step = step
        self.window.show_step(step.value)
        staff_step = step in (Step.STAFF, Step.ONSITE, Step.REPORT)
        idle_seconds = STAFF_IDLE_SECONDS if staff_step else self.config.idle_timeout_seconds
        self.idle_timer.setInterval(idle_seconds * 1000)
        if step is Step.WELCOME or (
            self.staff_window and step is Step.STAFF and not self.session.staff_id
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

    def leave_welcome(self) -> None:
        self.banner_timer.stop()
        self.window.welcome.reset()

    def finish_later(self) -> None:
        self.done_timer.start()

    def _on_start(self) -> None:
        self.leave_welcome()
        self.go(Step.DETAILS)
        self.window.details.name.setFocus()

    def _on_cancelled(self) -> None:
        self.reset()

    def _check_details(self) -> bool:
        details = self.window.details
        try:
            validate(details.form(self.language), self.config, self._service.directory.is_active)
        except ValidationError as error:
            details.show_errors(error.errors, self.translator("errors.summary"))
            return False
        details.show_errors({}, "")
        return True

    def _on_details_submitted(self) -> None:
        if self._check_details():
            self._show_notices()
            self.go(Step.NOTICE)
            # The notice first, for a screen reader and for Enter: nothing is accepted unread.
            self.window.notice.text.setFocus()

    def _show_notices(self) -> None:
        host_id = self.window.details.host.host_id()
        self.window.notice.show_notice(
            self._service.current_notice(self.language),
            self._service.company_notice(self.language, host_id),
        )

    def _on_notice_back(self) -> None:
        self.go(Step.DETAILS)

    def _on_notice_declined(self) -> None:
        log.info("notice declined; nothing stored")
        self.reset(banner_id="welcome.declined")

    def _on_notice_accepted(self, on_paper: bool = False) -> None:
        notice = self.window.notice.notice
        company_notice = self.window.notice.company_notice
        form = self.window.details.form(self.language)
        copy = self.window.details.wants_copy()
        assisting = self.session.assisting
        invitation_code = self.session.invitation_code
        self.window.notice.set_busy(True)

        request = CheckinRequest(
            form,
            notice,
            company_notice,
            visitor_copy=copy,
            assisted_by=assisting,
            notice_on_paper=on_paper and bool(assisting),
            invitation_code=invitation_code,
        )

        def save() -> Saved:
            result = self._service.submit(request)
            return Saved(result, render_qr(result.badge_token))

        self.workers.submit(
            save,
            self.session.current(self._on_saved),
            self.session.current(self._on_save_failed),
            expected=(ValidationError, NoticeNotAcknowledgedError, SeeFrontDeskError),
            guest=True,
        )

    def _on_saved(self, saved: Saved) -> None:
        visit = saved.result.visit
        checked_in = visit.checked_in_at.astimezone(self.config.zone)
        self.window.badge.show_visit(
            visit.first_name,
            saved.result.host_name,
            checked_in,
            short_code(visit.id),
            saved.qr,
            self.translator,
        )
        self.go(Step.BADGE)
        self.window.badge.done_button.setFocus()
        self.checked_in.emit()
        self.workers.submit(self._service.housekeeping, _ignore, _log_failure)
        if self._printer_name == "none":
            self.window.badge.set_status("badge.on_screen", self.translator)
            return
        self._print_job(visit.id, self.session.current(self._on_printed))

    def _on_save_failed(self, error: BaseException) -> None:
        notice = self.window.notice
        notice.set_busy(False)
        if isinstance(error, SeeFrontDeskError):
            self.reset(banner_id="errors.see_front_desk")
        elif isinstance(error, ValidationError):
            self.go(Step.DETAILS)
            self.window.details.show_errors(error.errors, self.translator("errors.summary"))
        elif isinstance(error, NoticeNotAcknowledgedError):
            self._show_notices()
            notice.show_error("errors.notice_not_accepted", self.translator)
        else:
            log.error("check-in could not be saved: %s", type(error).__name__)
            notice.show_error("errors.save_failed", self.translator)

    def _on_printed(self, result: PrintResult) -> None:
        if not result.ok:
            log.warning("badge not printed: %s", result.message)
            status = "badge.print_failed"
        else:
            # The file spool is for trying the kiosk out: nothing comes out of a printer and
            # nobody at the desk is told, so the guest keeps the code on screen.
            status = "badge.on_screen" if self._printer_name == "file" else "badge.printed"
        self.window.badge.set_status(status, self.translator)

    def _on_badge_done(self) -> None:
        self.go(Step.DONE)

    def _on_done_finished(self) -> None:
        self.reset()

    def _on_banner_expired(self) -> None:
        if self.step is Step.WELCOME:
            self.window.welcome.reset()
            self.set_language(self.config.default_language)

    def _on_idle_timeout(self) -> None:
        if self.step is not Step.WELCOME:
            log.info("idle timeout on %s; screen cleared", self.step.value)
            self.reset(banner_id="welcome.timed_out")
