"""The on-screen-only backend: for lobbies without a printer."""

from __future__ import annotations

from PIL import Image

from printers import PrintResult
from printers.labels import LabelSpec


class NoPrinter:
    name = "none"

    def print(self, image: Image.Image, label: LabelSpec, job_id: str) -> PrintResult:
        return PrintResult(ok=True, message="no printer configured; badge shown on screen")
