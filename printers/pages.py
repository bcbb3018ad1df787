"""Whole pages (the A4 evacuation roll call) go to a CUPS queue, never to a label printer.

``[printer] pages_queue`` names that queue; without it, a kiosk whose badge printer is a CUPS
queue for A4 or A6 paper uses that queue. Every other kiosk keeps the PDF in its spool and says
so in words, because a label printer would cut an A4 page into strips.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from kiosk.config import Config
from kiosk.records import record
from kiosk.rollcall import RollCall
from printers.cups import CupsPrinter
from printers.evacuation import roll_call_path, roll_call_pdf

log = logging.getLogger(__name__)
PAPER_LABELS = frozenset({"a4", "a6"})


@record
class Outcome:
    """What became of a list, for the staff member holding the tablet."""

    kind: str  # "printed", "saved" (no printer), "not_pages" (a label printer), "failed"
    path: Path
    queue: str = ""


def pages_queue(config: Config) -> str:
    """The CUPS queue that takes A4 pages, or "" when this kiosk has none."""
    if config.printer_pages_queue:
        return config.printer_pages_queue
    if config.printer_backend == "cups" and config.printer_label in PAPER_LABELS:
        return config.printer_queue
    return ""


def print_roll_call(roll_call: RollCall, config: Config, now: datetime) -> Outcome:
    """Write the roll call as it stands now and send it to the page printer, if there is one.
    Blocking (rendering, CUPS): call it from a worker."""
    path = roll_call_pdf(roll_call, config, roll_call_path(config, now))
    return send_pages(path, config)


def send_pages(pdf: Path, config: Config) -> Outcome:
    queue = pages_queue(config)
    if not queue:
        kind = "saved" if config.printer_backend in ("file", "none") else "not_pages"
        return Outcome(kind, pdf)
    printer = CupsPrinter(queue, config.printer_cups_server, config.printer_timeout, pdf.parent)
    result = printer.print_file(pdf, "A4", pdf.stem)
    if not result.ok:
        log.warning("roll call not printed: %s", result.message)
    return Outcome("printed" if result.ok else "failed", pdf, queue)
