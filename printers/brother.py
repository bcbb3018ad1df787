"""Brother QL label printers (QL-800/810W/820NWB …): raster jobs built by brother-ql-next.

The job goes to ``tcp://host:9100`` or to a USB printer device such as ``/dev/usb/lp0``. Before a
job, the printer is asked for its status (ESC i S); a printer that is out of labels, has its
cover open or does not answer is reported, and the kiosk falls back to the on-screen badge.
"""

from __future__ import annotations

import logging
import os
import socket

from PIL import Image

from kiosk.models import BadgeContent
from printers import PrintResult
from printers.labels import LabelSpec
from printers.layout import render_badge
from printers.tcp import PrinterUnavailableError, ask, connect, deliver, reachable

log = logging.getLogger(__name__)
STATUS_REQUEST = b"\x00" * 200 + b"\x1b\x40" + b"\x1b\x69\x53"  # invalidate, initialise, ESC i S
STATUS_SIZE = 32
# Bits of the two error bytes of a status reply, and what to tell the front desk.
_ERRORS_1 = {
    0x01: "no labels loaded",
    0x02: "out of labels",
    0x04: "cutter jammed",
    0x40: "printer busy",
    0x80: "printer turned off",
}
_ERRORS_2 = {
    0x01: "wrong label type",
    0x04: "labels do not fit",
    0x10: "cover open",
    0x40: "labels not fed",
    0x80: "system error",
}


def raster_job(image: Image.Image, label: LabelSpec, model: str) -> bytes:
    """The complete job: invalidate, initialise, media information, raster lines, print."""
    from brother_ql.conversion import convert
    from brother_ql.raster import BrotherQLRaster

    qlr = BrotherQLRaster(model)
    qlr.exception_on_warning = True
    convert(
        qlr,
        [image.convert("1", dither=Image.Dither.NONE)],
        label.brother_id,
        cut=True,
        rotate="90" if label.landscape else "0",
        dither=False,
        compress=bool(qlr.model.compression),
        red=False,
    )
    return bytes(qlr.data)


def status_problem(reply: bytes) -> str:
    """The first problem a 32-byte status reply reports, or "" when the printer is ready."""
    if len(reply) < STATUS_SIZE or reply[0] != 0x80:
        return "printer sent an unreadable status"
    problems = [text for bit, text in _ERRORS_1.items() if reply[8] & bit]
    problems += [text for bit, text in _ERRORS_2.items() if reply[9] & bit]
    return ", ".join(problems)


class BrotherPrinter:
    name = "brother"

    def __init__(self, target: str, model: str, timeout: float, status_check: bool = True) -> None:
        self.target = target
        self.model = model
        self.timeout = timeout
        self.status_check = status_check

    def print(self, content: BadgeContent, label: LabelSpec, job_id: str) -> PrintResult:
        if not label.brother_id:
            return PrintResult(False, f"label {label.name} does not fit a Brother QL printer")
        job = raster_job(render_badge(content, label), label, self.model)
        try:
            if self.target.startswith("/"):
                self._write_device(job)
            else:
                self._send_network(job)
        except PrinterUnavailableError as error:
            log.warning("brother printer: %s", error.reason)
            return PrintResult(False, error.reason)
        return PrintResult(True, f"printed on {self.model} ({len(job)} bytes)")

    def status(self) -> str:
        """ "ready", or what is wrong, for ``kiosk printers``."""
        if not self.status_check:
            return reachable(self.target, self.timeout)
        try:
            with connect(self.target, self.timeout) as conn:
                reply = ask(conn, STATUS_REQUEST, STATUS_SIZE, self.timeout, "status request")
        except PrinterUnavailableError as error:
            return error.reason
        return status_problem(reply) or "ready"

    def _send_network(self, job: bytes) -> None:
        deliver(self.target, self.timeout, job, self._check if self.status_check else None)

    def _check(self, conn: socket.socket) -> str:
        return status_problem(
            ask(conn, STATUS_REQUEST, STATUS_SIZE, self.timeout, "status request")
        )

    def _write_device(self, job: bytes) -> None:
        """Write to an existing device only: opening a missing /dev path for writing would
        quietly create a plain file there and 'print' into it."""
        try:
            fd = os.open(self.target, os.O_WRONLY)
        except OSError as error:
            raise PrinterUnavailableError(
                f"printer device {self.target}: {error.strerror}"
            ) from None
        try:
            _write_all(fd, job)
        except OSError as error:
            raise PrinterUnavailableError(
                f"printer device {self.target}: {error.strerror}"
            ) from None
        finally:
            os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
