"""Any printer CUPS knows (Dymo LabelWriters, office printers for A6/A4): through ``lp``.

The badge goes as a PDF with the label's page size and ``-o media=…`` set from the label, so the
driver picks the right paper. The job is followed until CUPS reports it completed; one still
pending at the deadline (printer off, out of paper) is cancelled, so it does not print later as
a surprise duplicate, and the kiosk falls back to the on-screen badge.
"""

from __future__ import annotations

import logging
import re
import subprocess
import time
from pathlib import Path

from kiosk.models import BadgeContent
from printers import PrintResult
from printers.labels import LabelSpec
from printers.layout import on_page, render_badge

log = logging.getLogger(__name__)
_REQUEST_ID = re.compile(r"request id is (\S+)")
POLL_SECONDS = 0.2


class CupsPrinter:
    name = "cups"

    def __init__(self, queue: str, server: str, timeout: float, spool_dir: Path) -> None:
        self.queue = queue
        self.server = server
        self.timeout = timeout
        self.spool_dir = spool_dir

    def _cups(self, command: str, *args: str) -> subprocess.CompletedProcess[str]:
        server = ["-h", self.server] if self.server else []
        return subprocess.run(
            [command, *server, *args],
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )

    def print(self, content: BadgeContent, label: LabelSpec, job_id: str) -> PrintResult:
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        pdf = self.spool_dir / f"badge-{job_id}.cups.pdf"
        try:
            on_page(render_badge(content, label), label).save(pdf, "PDF", resolution=label.dpi)
            return self.print_file(pdf, label.cups_media, f"badge-{job_id}")
        except OSError as error:
            return PrintResult(False, f"the badge could not be written ({type(error).__name__})")
        finally:
            pdf.unlink(missing_ok=True)  # CUPS keeps its own copy of a submitted job

    def print_file(self, pdf: Path, media: str, title: str) -> PrintResult:
        """Submit a PDF already on disk (a badge, the A4 roll call) and follow it to the end."""
        try:
            submitted = self._cups(
                "lp", "-d", self.queue, "-o", f"media={media}", "-t", title, str(pdf)
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return PrintResult(False, f"CUPS could not be reached ({type(error).__name__})")
        match = _REQUEST_ID.search(submitted.stdout)
        if submitted.returncode != 0 or match is None:
            reason = (submitted.stderr or submitted.stdout).strip().splitlines()[-1:] or [
                "lp failed"
            ]
            return PrintResult(False, f"CUPS refused the job: {reason[0]}")
        return self._follow(match.group(1))

    def _follow(self, cups_job: str) -> PrintResult:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if cups_job in self._cups("lpstat", "-W", "completed", "-o", self.queue).stdout:
                return PrintResult(True, f"printed by CUPS queue {self.queue} ({cups_job})")
            time.sleep(POLL_SECONDS)
        self._cups("cancel", cups_job)
        return PrintResult(False, f"CUPS queue {self.queue} did not finish in {self.timeout:g} s")

    def status(self) -> str:
        try:
            answer = self._cups("lpstat", "-p", self.queue)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"CUPS could not be reached ({type(error).__name__})"
        if answer.returncode != 0:
            return f"CUPS queue {self.queue} not found"
        return (
            "ready"
            if "enabled" in answer.stdout and "disabled" not in answer.stdout
            else answer.stdout.strip()
        )
