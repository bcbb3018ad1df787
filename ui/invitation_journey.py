"""The invitation journey: "I have an invitation", the code from the email (typed or scanned),
then the details screen filled in from the invitation for the guest to check."""

from __future__ import annotations

from PySide6.QtCore import QObject

from kiosk.invitations import Invitation, InvitationError
from ui.journey import Flow
from ui.steps import Step


class InvitationJourney(QObject):
    def __init__(self, flow: Flow) -> None:
        super().__init__()
        self.flow = flow
        flow.window.welcome.invitation.connect(self.start)
        flow.window.invitation.submitted.connect(self._on_submitted)
        flow.window.invitation.cancelled.connect(flow.reset)

    def start(self) -> None:
        self.flow.leave_welcome()
        self.flow.go(Step.INVITATION)
        self.flow.window.invitation.code.setFocus()

    def _on_submitted(self) -> None:
        flow = self.flow
        code = flow.window.invitation.code.text()
        flow.workers.submit(
            lambda: flow.services.find_invitation(code),
            flow.session.current(self._on_found),
            flow.session.current(self._on_refused),
            expected=(InvitationError,),
            guest=True,
        )

    def _on_found(self, invitation: Invitation) -> None:
        flow = self.flow
        flow.session.invitation_code = invitation.code
        host = flow.services.checkin.directory.get(invitation.host_id)
        flow.window.details.prefill(invitation.name, invitation.email, host)
        flow.go(Step.DETAILS)
        flow.window.details.next.setFocus()

    def _on_refused(self, error: BaseException) -> None:
        reason = error.reason if isinstance(error, InvitationError) else "errors.save_failed"
        self.flow.window.invitation.show_problem(reason, self.flow.translator)
