"""What a journey's controller (staff desk, check-out, invitation) needs from the flow that owns
the window: where to go, the session, the language, and the services. Spelled out as a protocol,
so a controller depends on these and nothing else of the flow."""

from __future__ import annotations

from typing import Protocol

from kiosk.config import Config
from kiosk.i18n import Translator
from ui.services import Services
from ui.session import GuestSession
from ui.steps import Step
from ui.window import KioskWindow
from ui.workers import Workers


class Flow(Protocol):
    window: KioskWindow
    services: Services
    session: GuestSession
    workers: Workers
    config: Config
    step: Step
    translator: Translator
    language: str

    def go(self, step: Step) -> None: ...

    def reset(self, banner_id: str = "") -> None: ...

    def finish_later(self) -> None:
        """Back to Welcome after a few seconds (the done and goodbye screens)."""
        ...

    def leave_welcome(self) -> None:
        """Stop Welcome's message timer and clear it: the guest has moved on."""
        ...
