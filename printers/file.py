"""Spool backend: writes each badge as PNG and as a PDF at the label's real page size.

Files are named by visit id only, never by name, and retention deletes them with the visit.
Written to a temporary name and renamed, so a reader never sees half a badge.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PIL import Image

from kiosk.models import BadgeContent
from printers import PrintResult
from printers.labels import LabelSpec
from printers.layout import on_page, render_badge

log = logging.getLogger(__name__)


class FilePrinter:
    name = "file"

    def __init__(self, spool_dir: Path) -> None:
        self.spool_dir = spool_dir

    def print(self, content: BadgeContent, label: LabelSpec, job_id: str) -> PrintResult:
        image = on_page(render_badge(content, label), label)
        try:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            png = self._write(image, f"badge-{job_id}.png", "PNG", {"dpi": (label.dpi, label.dpi)})
            pdf = self._write(image, f"badge-{job_id}.pdf", "PDF", {"resolution": label.dpi})
        except OSError as error:
            log.warning("badge spool failed: %s", error.strerror)
            return PrintResult(ok=False, message=f"could not write badge: {error.strerror}")
        return PrintResult(ok=True, message=f"badge saved in {self.spool_dir}", files=(png, pdf))

    def status(self) -> str:
        return "ready" if os.access(self.spool_dir.parent, os.W_OK) else "spool folder not writable"

    def _write(self, image: Image.Image, name: str, kind: str, options: dict[str, object]) -> Path:
        target = self.spool_dir / name
        partial = target.with_name(f".{name}.partial")
        image.save(partial, kind, **options)
        os.replace(partial, target)
        return target
