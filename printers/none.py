"""The on-screen-only backend: for lobbies without a printer."""

from __future__ import annotations

from kiosk.models import BadgeContent
from printers import PrintResult
from printers.labels import LabelSpec


class NoPrinter:
    name = "none"

    def print(self, content: BadgeContent, label: LabelSpec, job_id: str) -> PrintResult:
        return PrintResult(ok=True, message="no printer configured; badge shown on screen")

    def status(self) -> str:
        return "ready (badges are shown on screen only)"
