"""The person at the tablet, as the flow knows them: no Qt, no widgets.

Everything the kiosk holds about the current guest (or the signed-in staff member) lives here, so
"forget the guest" is one call, and so is "drop an answer that arrives after the guest left":
``current(callback)`` wraps a worker's callback so that it runs only while the session it was
made in is still the session on screen. An idle reset that happens while a save is still running
therefore never shows one guest's badge to the next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from kiosk.records import record

T = TypeVar("T")


@record(frozen=False)
class GuestSession:
    number: int = 0
    staff_id: str = ""  # signed in to staff mode
    staff_name: str = ""  # as staff were added: shown and written on roll-call ticks
    assisting: str = ""  # the staff id while staff check a guest in
    invitation_code: str = ""  # the invitation this check-in fulfils, if any

    def forget(self) -> None:
        """A new session: every answer still on its way for the old one will be dropped."""
        self.number += 1
        self.staff_id = self.staff_name = self.assisting = self.invitation_code = ""

    def sign_in(self, staff_id: str, staff_name: str) -> None:
        self.staff_id, self.staff_name = staff_id, staff_name or staff_id

    def current(self, answer: Callable[[T], None]) -> Callable[[T], None]:
        """``answer``, run only if this session is still the one on screen when it comes."""
        number = self.number

        def deliver(value: T) -> None:
            if number == self.number:
                answer(value)

        return deliver
