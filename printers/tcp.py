"""Talking to label printers on TCP port 9100: every step has a deadline, and every failure
becomes a reason a person can act on (offline, not answering, refused)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from urllib.parse import urlsplit

DEFAULT_PORT = 9100


class PrinterUnavailableError(OSError):
    """The printer cannot take a job now; ``reason`` is shown to staff."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_target(target: str) -> tuple[str, int]:
    """``tcp://host:9100`` (or ``host:9100``) → (host, port)."""
    parts = urlsplit(target if "://" in target else f"tcp://{target}")
    if parts.scheme != "tcp" or not parts.hostname:
        raise ValueError(f"printer target {target!r}: use tcp://HOST:PORT or a device path")
    return parts.hostname, parts.port or DEFAULT_PORT


NOT_ASKED = "ready as far as can be told: it accepts connections (status_check = false, not asked)"


def reachable(target: str, timeout: float) -> str:
    """For printers configured with ``status_check = false`` (they do not answer a status
    request, or answer it wrongly): connect and close without sending anything."""
    try:
        with connect(target, timeout):
            return NOT_ASKED
    except PrinterUnavailableError as error:
        return error.reason


def connect(target: str, timeout: float) -> socket.socket:
    host, port = parse_target(target)
    try:
        return socket.create_connection((host, port), timeout=timeout)
    except TimeoutError:
        raise PrinterUnavailableError(
            f"printer at {host}:{port} did not answer in {timeout:g} s"
        ) from None
    except OSError as error:
        raise PrinterUnavailableError(
            f"printer at {host}:{port} is offline ({error.strerror})"
        ) from None


def ask(conn: socket.socket, request: bytes, expect: int, timeout: float, what: str) -> bytes:
    """Send ``request`` and read ``expect`` bytes of answer before ``timeout``."""
    return ask_until(conn, request, lambda answer: len(answer) >= expect, timeout, what)


def send(conn: socket.socket, data: bytes, timeout: float) -> None:
    conn.settimeout(timeout)
    try:
        conn.sendall(data)
    except TimeoutError:
        raise PrinterUnavailableError(f"printer stopped taking data for {timeout:g} s") from None
    except OSError as error:
        raise PrinterUnavailableError(f"printer connection failed ({error.strerror})") from None


def ask_until(
    conn: socket.socket,
    request: bytes,
    complete: Callable[[bytes], bool],
    timeout: float,
    what: str,
) -> bytes:
    """Send ``request``; read until ``complete(answer)`` or the deadline."""
    conn.settimeout(timeout)
    deadline = time.monotonic() + timeout
    answer = b""
    try:
        conn.sendall(request)
        while not complete(answer):
            conn.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = conn.recv(1024)
            if not chunk:
                break
            answer += chunk
    except TimeoutError:
        raise PrinterUnavailableError(
            f"printer did not answer the {what} in {timeout:g} s"
        ) from None
    except OSError as error:
        raise PrinterUnavailableError(f"printer connection failed ({error.strerror})") from None
    if not answer:
        raise PrinterUnavailableError(f"printer closed the connection instead of a {what}")
    if not complete(answer):
        raise PrinterUnavailableError(f"printer gave an incomplete {what}")
    return answer


def deliver(
    target: str, timeout: float, job: bytes, check: Callable[[socket.socket], str] | None
) -> None:
    """Connect, let ``check`` ask the printer whether it can print (a problem in words, or ""),
    then send the job; every step within ``timeout``."""
    with connect(target, timeout) as conn:
        if check is not None:
            problem = check(conn)
            if problem:
                raise PrinterUnavailableError(problem)
        send(conn, job, timeout)
