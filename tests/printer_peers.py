"""Stand-ins for printers on 127.0.0.1: TCP 9100 peers that record jobs and answer status
requests like a Brother QL or a Zebra would, and a private cupsd with a cups-pdf queue."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from tests.receivers import free_port

BROTHER_STATUS_REQUEST = b"\x1b\x69\x53"


def brother_status(error_1: int = 0, error_2: int = 0, media_width: int = 62) -> bytes:
    """A 32-byte QL status reply: print head mark, errors, media width, status type 0 (reply)."""
    reply = bytearray(32)
    reply[0], reply[1], reply[2], reply[3] = 0x80, 0x20, 0x42, 0x34
    reply[8], reply[9], reply[10], reply[18] = error_1, error_2, media_width, 0x00
    return bytes(reply)


def zebra_status(paper_out: bool = False, head_open: bool = False) -> bytes:
    first = f"\x02030,{int(paper_out)},0,1245,000,0,0,0,000,0,0,0\x03\r\n"
    second = f"\x02001,0,{int(head_open)},0,1,2,4,0,00000000,1,000\x03\r\n"
    third = "\x021234,0\x03\r\n"
    return (first + second + third).encode("ascii")


@dataclass
class Peer:
    """One listening 'printer'. ``mode``: brother, zebra, silent (accepts, never reads)."""

    mode: str
    status: bytes = b""
    delay: float = 0.0
    port: int = 0
    jobs: list[bytes] = field(default_factory=list)
    _server: socket.socket | None = None

    def start(self) -> Peer:
        server = socket.create_server(("127.0.0.1", 0))
        self._server, self.port = server, server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    @property
    def target(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        server = self._server  # stop() sets the attribute to None while accept() may run
        assert server is not None
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        with conn:
            if self.mode == "silent":
                time.sleep(30)
                return
            conn.settimeout(10)
            received = b""
            answered = False
            try:
                while chunk := conn.recv(65536):
                    received += chunk
                    if not answered and self._asked_status(received):
                        time.sleep(self.delay)
                        conn.sendall(self.status)
                        answered = True
            except OSError:
                pass
            self.jobs.append(received)

    def _asked_status(self, received: bytes) -> bool:
        if self.mode == "brother":
            return BROTHER_STATUS_REQUEST in received
        return b"~HS" in received

    def stop(self) -> None:
        """Stop listening (shutdown first: close alone leaves a blocked accept() listening)."""
        if self._server is not None:
            with suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None

    def wait_for_job(self, timeout: float = 5.0) -> bytes:
        deadline = time.monotonic() + timeout
        while not self.jobs and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.jobs[-1] if self.jobs else b""


def parse_brother_job(job: bytes) -> dict[str, object]:
    """Walk a QL raster job command by command; anything unknown is an error."""
    found: dict[str, object] = {"invalidate": 0, "raster_lines": 0, "commands": []}
    commands: list[str] = found["commands"]  # type: ignore[assignment]
    i = 0
    fixed = {
        b"\x1b\x40": 0,
        b"\x1bia": 1,
        b"\x1biS": 0,
        b"\x1biM": 1,
        b"\x1biA": 1,
        b"\x1biK": 1,
        b"\x1bid": 2,
        b"\x1biz": 10,
    }
    while i < len(job):
        if job[i] == 0x00:
            found["invalidate"] = int(found["invalidate"]) + 1  # type: ignore[call-overload]
            i += 1
            continue
        head = next((h for h in fixed if job.startswith(h, i)), None)
        if head is not None:
            if head == b"\x1biz":
                body = job[i + 3 : i + 13]
                found["media"] = {
                    "width_mm": body[2],
                    "length_mm": body[3],
                    "lines": int.from_bytes(body[4:8], "little"),
                }
            commands.append(head.decode("latin-1"))
            i += len(head) + fixed[head]
        elif job[i : i + 1] == b"M":
            found["compression"] = job[i + 1]
            i += 2
        elif job[i : i + 1] in (b"g", b"G"):
            length = (
                job[i + 2]
                if job[i : i + 1] == b"g"
                else int.from_bytes(job[i + 1 : i + 3], "little")
            )
            found["raster_lines"] = int(found["raster_lines"]) + 1  # type: ignore[call-overload]
            i += 3 + length
        elif job[i : i + 1] == b"Z":
            found["raster_lines"] = int(found["raster_lines"]) + 1  # type: ignore[call-overload]
            i += 1
        elif job[i] in (0x0C, 0x1A):
            found["print"] = job[i]
            i += 1
        else:
            raise ValueError(f"unknown byte {job[i]:#x} at {i}")
    return found


def parse_zpl(job: bytes) -> dict[str, int]:
    text = job.decode("utf-8")
    assert text.startswith("^XA") and text.rstrip().endswith("^XZ"), "not a ZPL label format"
    width = int(re.search(r"\^PW(\d+)", text).group(1))  # type: ignore[union-attr]
    height = int(re.search(r"\^LL(\d+)", text).group(1))  # type: ignore[union-attr]
    graphic = re.search(r"\^GFA,(\d+),(\d+),(\d+),([0-9A-F]+)\^FS", text)
    assert graphic is not None, "no ^GF graphic field"
    total, _, row, data = int(graphic[1]), int(graphic[2]), int(graphic[3]), graphic[4]
    return {
        "width": width,
        "height": height,
        "total": total,
        "row": row,
        "hex": len(data),
        "text_fields": text.count("^FD"),
    }


CUPSD_CONF = """Listen 127.0.0.1:{port}
Browsing Off
BrowseLocalProtocols none
DefaultAuthType None
WebInterface No
LogLevel warn
<Location />
  Order allow,deny
  Allow 127.0.0.1
</Location>
"""
CUPS_FILES_CONF = """ServerRoot {root}/etc
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/tmp
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
SystemGroup root
"""


def cups_available() -> str:
    """Why a private cupsd cannot run here, or "" when it can."""
    if os.geteuid() != 0:
        return "cupsd with the cups-pdf backend needs root (CI runs as root)"
    for need in ("/usr/sbin/cupsd", "/usr/lib/cups/backend/cups-pdf"):
        if not Path(need).exists():
            return f"{need} missing: apt-get install cups printer-driver-cups-pdf"
    return ""


@contextmanager
def private_cupsd() -> Iterator[str]:
    """cupsd on a free 127.0.0.1 port with a cups-pdf queue 'KioskPDF'; yields host:port.
    Browsing is off and no avahi is involved: nothing leaves the loopback interface."""
    port = free_port()
    # Filters run as the 'lp' user, so the tree must be reachable from /tmp (pytest's own
    # temporary folders are private to root).
    root = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    os.chmod(root, 0o755)
    for sub in ("etc", "etc/ppd", "spool", "cache", "state", "tmp", "log"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(root / "tmp", 0o1777)  # filters run as the 'lp' user
    shutil.chown(root / "spool", group="lp")
    os.chmod(root / "spool", 0o710)
    (root / "etc" / "cupsd.conf").write_text(CUPSD_CONF.format(port=port))
    (root / "etc" / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=root))
    daemon = subprocess.Popen(
        [
            "/usr/sbin/cupsd",
            "-f",
            "-c",
            str(root / "etc/cupsd.conf"),
            "-s",
            str(root / "etc/cups-files.conf"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = f"127.0.0.1:{port}"
    try:
        _wait_for_port(port)
        subprocess.run(
            [
                "lpadmin",
                "-h",
                server,
                "-p",
                "KioskPDF",
                "-E",
                "-v",
                "cups-pdf:/",
                "-m",
                "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd",
            ],
            check=True,
            capture_output=True,
        )
        yield server
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("cupsd did not start")
