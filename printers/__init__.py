"""Badge printing: one ``Printer`` protocol, backends chosen from config, created lazily.

Backends are imported only when chosen, so a site with a file spool never loads a label-printer
library, and a missing optional library only matters where it is configured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from PIL import Image

from kiosk.config import Config
from printers.labels import LabelSpec


@dataclass(frozen=True)
class PrintResult:
    """Outcome of one print job; ``message`` is for staff and logs, never shows personal data."""

    ok: bool
    message: str
    files: tuple[Path, ...] = field(default_factory=tuple)


class Printer(Protocol):
    name: str

    def print(self, image: Image.Image, label: LabelSpec, job_id: str) -> PrintResult:
        """Print one badge. Must not raise for printer trouble: report it in the result."""
        ...


def create(config: Config) -> Printer:
    """The printer the site configured."""
    if config.printer_backend == "file":
        from printers.file import FilePrinter

        return FilePrinter(config.spool_dir)
    if config.printer_backend == "none":
        from printers.none import NoPrinter

        return NoPrinter()
    raise ValueError(f"unknown printer backend {config.printer_backend!r}")
