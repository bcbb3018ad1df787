"""The kiosk's job process: badges are rendered and printed, and hosts notified, here.

Why a process of its own: rendering a badge (QR, Pillow text in a CJK font, PNG and PDF encoding)
and apprise's hundred-odd plugins cost 60-100 MB and hold the GIL for tens of milliseconds at a
time. In the window's process that memory stays resident for months, and the guest's badge
screen waits for the GIL to paint. Here the window never loads them, a printer driver that
crashes takes only this process down (the window restarts it; the job stays in the outbox), and
the two processes share nothing but the SQLite store, which is safe for that (WAL).

Protocol (one JSON object a line): the first line on stdin is the site config (pickled, base64;
parent and child are the same program). Then each request ``{"id", "kind", "now", ...}`` gets one
answer ``{"id", "ok", "message", ...}`` on the protocol channel: file descriptor 1 as the
process started, while ``sys.stdout`` is pointed at stderr so no library's stray ``print``
can corrupt the channel. Kinds: ``print`` and ``reprint`` (``visit``, ``staff``), ``notify``
(deliver what is due), ``reload_hosts`` (the window's sync brought a new directory).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import pickle
import sys
from collections.abc import Callable
from datetime import datetime
from typing import IO, Any

from kiosk.config import Config
from kiosk.notify import AppriseSender, deliver_due, deliver_visitor_copies
from kiosk.site import Site
from printers import create
from printers.jobs import print_badge, reprint, retry_failed_prints

log = logging.getLogger(__name__)
Answer = dict[str, Any]


def encode_config(config: Config) -> bytes:
    """The first line the window writes: the exact config it runs with, overrides included."""
    return base64.b64encode(pickle.dumps(config)) + b"\n"


def _decode_config(line: str) -> Config:
    config = pickle.loads(base64.b64decode(line))  # noqa: S301 -- our own parent wrote it
    if not isinstance(config, Config):
        raise TypeError("the first line is not a kiosk config")
    return config


class JobHandler:
    """Everything the jobs need, built once when the process starts."""

    def __init__(self, config: Config) -> None:
        self.config = config
        site = Site.open(config)
        self.store, self.directory, self.tokens = site.store, site.directory, site.tokens
        self.printer = create(config)
        self.sender = AppriseSender()
        self._kinds: dict[str, Callable[[dict[str, Any], datetime], Answer]] = {
            "print": self._print,
            "reprint": self._print,
            "notify": self._notify,
            "retry_prints": self._retry_prints,
            "reload_hosts": self._reload_hosts,
        }

    def handle(self, request: dict[str, Any]) -> Answer:
        kind = str(request.get("kind", ""))
        job = self._kinds.get(kind)
        if job is None:
            return {"ok": False, "message": f"unknown job kind {kind!r}"}
        now = datetime.fromisoformat(str(request["now"]))
        return job(request, now)

    def _print(self, request: dict[str, Any], now: datetime) -> Answer:
        """A badge's pending print job, or (``reprint``) one more print for staff."""
        visit = str(request["visit"])
        args = (self.store, self.config, self.printer, self.tokens, self.directory, visit, now)
        if request["kind"] == "reprint":
            result = reprint(*args, str(request["staff"]))
        else:
            result = print_badge(*args)
        return {"ok": result.ok, "message": result.message}

    def _retry_prints(self, _request: dict[str, Any], now: datetime) -> Answer:
        args = (self.store, self.config, self.printer, self.tokens, self.directory, now)
        results = retry_failed_prints(*args)
        return {"ok": all(r.ok for r in results), "message": "", "tried": len(results)}

    def _notify(self, _request: dict[str, Any], now: datetime) -> Answer:
        hosts = deliver_due(self.store, self.directory, self.config, self.sender, now)
        copies = deliver_visitor_copies(
            self.store, self.config, self.sender, now, self.tokens.qr_png
        )
        return {
            "ok": True,
            "message": "",
            "sent": hosts.sent + copies.sent,
            "retrying": hosts.retrying + copies.retrying,
        }

    def _reload_hosts(self, _request: dict[str, Any], _now: datetime) -> Answer:
        self.directory.reload()
        return {"ok": True, "message": ""}

    def warm_up(self) -> None:
        """Load apprise's plugins before the first guest's host is waiting for them."""
        hosts_with_targets = any(host.notify for host in self.directory.active())
        if self.config.notify_email_url or hosts_with_targets:
            self.sender.warm_up()


def serve(requests: IO[str], answers: IO[str]) -> int:
    config = _decode_config(requests.readline())
    handler = JobHandler(config)
    handler.warm_up()
    for line in requests:
        if not line.strip():
            continue
        request: dict[str, Any] = json.loads(line)
        try:
            answer = handler.handle(request)
        except Exception as error:  # one broken job must not take the others down
            log.exception("job %s failed", request.get("kind"))
            answer = {"ok": False, "message": f"job error: {type(error).__name__}"}
        answer["id"] = request.get("id")
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
    handler.store.close()
    return 0


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="kiosk-jobs %(levelname)s %(message)s")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything printed by a library goes to stderr, not into the protocol
    sys.stdout = sys.stderr
    return serve(sys.stdin, answers)


if __name__ == "__main__":
    sys.exit(main())
