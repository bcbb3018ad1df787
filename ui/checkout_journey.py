"""The check-out journey: Check out on Welcome, the code under the QR (typed, from a scanner, or
shown to the camera), then a goodbye that goes back to Welcome by itself."""

from __future__ import annotations

from PySide6.QtCore import QObject

from kiosk.checkout import CheckoutError
from kiosk.models import Visit
from ui.journey import Flow
from ui.steps import Step


class CheckoutJourney(QObject):
    def __init__(self, flow: Flow) -> None:
        super().__init__()
        self.flow = flow
        window = flow.window
        window.welcome.checkout.connect(self.start)
        window.checkout.submitted.connect(self._on_submitted)
        window.checkout.cancelled.connect(flow.reset)
        camera = flow.services.camera
        if camera is not None:
            window.checkout.add_camera(camera.viewfinder)
            camera.found.connect(self.submit)

    def start(self) -> None:
        self.flow.leave_welcome()
        self.flow.go(Step.CHECKOUT)
        self.flow.window.checkout.code.setFocus()

    def submit(self, code: str) -> None:
        """Check out by typed code or scanned badge; the answer comes back on the GUI thread."""
        flow = self.flow
        flow.workers.submit(
            lambda: flow.services.checkout.check_out(code),
            flow.session.current(self._on_checked_out),
            flow.session.current(self._on_failed),
            expected=(CheckoutError,),
            guest=True,
        )

    def _on_submitted(self) -> None:
        code = self.flow.window.checkout.code.text()
        if code.strip():
            self.submit(code)
        else:
            self.flow.window.checkout.show_problem("checkout.not_found", self.flow.translator)

    def _on_checked_out(self, visit: Visit) -> None:
        self.flow.window.checkout.show_goodbye(visit.first_name, self.flow.translator)
        self.flow.finish_later()  # the goodbye goes back to Welcome by itself

    def _on_failed(self, error: BaseException) -> None:
        reason = error.reason if isinstance(error, CheckoutError) else "errors.save_failed"
        self.flow.window.checkout.show_problem(reason, self.flow.translator)
