"""Badge printing: one ``Printer`` protocol, backends chosen from config, created lazily.

Backends are imported only when chosen, so a site with a file spool never loads a label-printer
library, and a missing optional library only matters where it is configured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from kiosk.config import Config
from kiosk.models import BadgeContent
from kiosk.records import field, record
from printers.labels import LabelSpec


@record
class PrintResult:
    """Outcome of one print job; ``message`` is for staff and logs, never shows personal data."""

    ok: bool
    message: str
    files: tuple[Path, ...] = field(default_factory=tuple)


class Printer(Protocol):
    name: str

    def print(self, content: BadgeContent, label: LabelSpec, job_id: str) -> PrintResult:
        """Render and print one badge. Must not raise for printer trouble: report it."""
        ...

    def status(self) -> str:
        """ "ready", or what is wrong, in words for staff."""
        ...


def create(config: Config) -> Printer:
    """The printer the site configured; its library is imported only when chosen."""
    backend, target, timeout = config.printer_backend, config.printer_target, config.printer_timeout
    if backend == "file":
        from printers.file import FilePrinter

        return FilePrinter(config.spool_dir)
    if backend == "none":
        from printers.none import NoPrinter

        return NoPrinter()
    if backend == "brother":
        from printers.brother import BrotherPrinter

        return BrotherPrinter(target, config.printer_model, timeout, config.printer_status_check)
    if backend == "zebra":
        from printers.zebra import ZebraPrinter

        return ZebraPrinter(target, timeout, config.printer_status_check)
    if backend == "cups":
        from printers.cups import CupsPrinter

        return CupsPrinter(
            config.printer_queue, config.printer_cups_server, timeout, config.spool_dir
        )
    raise ValueError(f"unknown printer backend {backend!r}")
