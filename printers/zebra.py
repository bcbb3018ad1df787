"""Zebra label printers: ZPL over TCP 9100, with the badge as a graphic field (^GF).

Latin names are also sent as text in the printer's own scalable font, which prints crisper than
a bitmap; names the printer's fonts may lack (Chinese, for one) stay in the graphic, so they
always print right. Before a job the printer is asked for its host status (~HS); paper out, head
open or no answer means the kiosk falls back to the on-screen badge.
"""

from __future__ import annotations

import logging
import socket

from PIL import Image

from kiosk.models import BadgeContent
from printers import PrintResult
from printers.labels import LabelSpec
from printers.layout import NameBox, name_box, render_badge
from printers.tcp import PrinterUnavailableError, ask_until, connect, deliver, reachable

log = logging.getLogger(__name__)
HOST_STATUS = b"~HS"
ETX = b"\x03"


def graphic_field(image: Image.Image) -> str:
    """``^GFA`` with the image as hex; 1 bits are black, rows padded to whole bytes."""
    mono = image.convert("1", dither=Image.Dither.NONE)
    row_bytes = (mono.width + 7) // 8
    inverted = Image.eval(mono.convert("L"), lambda v: 255 - v).convert("1")
    data = inverted.tobytes()  # Pillow packs "1" rows MSB first, padded to bytes, like ZPL
    total = row_bytes * mono.height
    return f"^GFA,{total},{total},{row_bytes},{data.hex().upper()}"


def zpl_job(content: BadgeContent, label: LabelSpec) -> str:
    width, height = label.size_px
    printer_font_ok = content.name.isascii() and content.name.isprintable()
    image = render_badge(content, label, draw_name=not printer_font_ok)
    parts = ["^XA", "^CI28", f"^PW{width}", f"^LL{height}", "^FO0,0" + graphic_field(image) + "^FS"]
    if printer_font_ok:
        parts.append(_name_field(name_box(content, label)))
    parts += ["^PQ1", "^XZ"]
    return "\n".join(parts) + "\n"


def _name_field(box: NameBox) -> str:
    text = "\\&".join(box.lines).replace("^", " ").replace("~", " ")
    return (
        f"^FO{box.left},{box.top}^A0N,{box.font_px},{box.font_px}"
        f"^FB{box.width},{len(box.lines)},{max(0, box.line_px - box.font_px)},L,0^FD{text}^FS"
    )


def status_problem(answer: bytes) -> str:
    """Paper out, paused, head open or ribbon out, from the three ~HS strings; "" if ready."""
    frames = [f.strip(b"\x02\r\n ").decode("ascii", "replace") for f in answer.split(ETX)[:2]]
    if len(frames) < 2:
        return "printer sent an unreadable status"
    first, second = frames[0].split(","), frames[1].split(",")
    problems = []
    if len(first) > 2 and first[1] == "1":
        problems.append("out of labels")
    if len(first) > 2 and first[2] == "1":
        problems.append("printer paused")
    if len(second) > 3 and second[2] == "1":
        problems.append("print head open")
    if len(second) > 3 and second[3] == "1":
        problems.append("ribbon out")
    return ", ".join(problems)


class ZebraPrinter:
    name = "zebra"

    def __init__(self, target: str, timeout: float, status_check: bool = True) -> None:
        self.target = target
        self.timeout = timeout
        self.status_check = status_check

    def print(self, content: BadgeContent, label: LabelSpec, job_id: str) -> PrintResult:
        job = zpl_job(content, label).encode("utf-8")
        check = (lambda conn: status_problem(self._ask_status(conn))) if self.status_check else None
        try:
            deliver(self.target, self.timeout, job, check)
        except PrinterUnavailableError as error:
            log.warning("zebra printer: %s", error.reason)
            return PrintResult(False, error.reason)
        return PrintResult(True, f"printed on Zebra ({len(job)} bytes)")

    def status(self) -> str:
        if not self.status_check:
            return reachable(self.target, self.timeout)
        try:
            with connect(self.target, self.timeout) as conn:
                return status_problem(self._ask_status(conn)) or "ready"
        except PrinterUnavailableError as error:
            return error.reason

    def _ask_status(self, conn: socket.socket) -> bytes:
        return ask_until(
            conn,
            HOST_STATUS,
            lambda answer: answer.count(ETX) >= 3,
            self.timeout,
            "host status request (~HS)",
        )
