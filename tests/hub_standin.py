"""A stand-in for the hub's /v1 sync API on 127.0.0.1, for the sync client's tests (the reference
hub itself is issue #4). It stores each idempotency key once, and can be told to fail."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Hub:
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # key → event
    erased: list[str] = field(default_factory=list)
    tokens_seen: set[str] = field(default_factory=set)
    down: bool = False  # answer 503
    drop_after_store: bool = False  # store, then close without answering (a lost response)
    reject_purpose: str = ""  # records with this purpose are rejected (like a 422)


def hub_standin() -> Iterator[tuple[str, Hub]]:
    hub = Hub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hub.tokens_seen.add(self.headers.get("Authorization", ""))
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            if hub.down:
                self._answer(503, {"error": "down"})
                return
            if self.path == "/v1/erase":
                hub.erased.append(body["receipt"])
                self._answer(200, {"receipt": body["receipt"]})
                return
            results = []
            for event in body["events"]:
                key = event["idempotency_key"]
                if event["record"].get("purpose") == hub.reject_purpose:
                    results.append(
                        {"idempotency_key": key, "status": "rejected", "reason": "unknown purpose"}
                    )
                elif key in hub.records:
                    results.append({"idempotency_key": key, "status": "duplicate"})
                else:
                    hub.records[key] = event
                    results.append({"idempotency_key": key, "status": "stored"})
            if hub.drop_after_store:
                hub.drop_after_store = False
                self.close_connection = True
                self.connection.close()
                return
            self._answer(200, {"results": results})

        def _answer(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hub
    finally:
        server.shutdown()
        server.server_close()
