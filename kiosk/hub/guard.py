"""Limits before work: who is asking and how much they send, checked before a body is read.

FastAPI reads and parses a request body before it runs the dependency that checks the bearer
key, so without this an unauthenticated 150 MB POST was held in memory (the hub reached 501 MB)
before being refused. This ASGI layer answers 401 for an unknown key and 413 for a body over the
limit (by its Content-Length, or by counting as it streams) before the application sees a byte.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio.to_thread

from kiosk.hub.service import HubService

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 2 * 1024 * 1024  # a full batch of 500 records is ~250 kB
OPEN_PATHS = ("/v1/health", "/v1/openapi.json", "/v1/docs")
ENROL_PATH, ENROL_MAX_BODY = "/v1/enroll", 4096  # asked without a key: only a tiny body


class Guard:
    """Authenticate /v1 calls and cap their bodies; the identity goes on to the route."""

    def __init__(self, app: ASGIApp, service: HubService, max_body: int = MAX_BODY_BYTES) -> None:
        self._app = app
        self._service = service
        self._max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not path.startswith("/v1/") or path in OPEN_PATHS:
            await self._app(scope, receive, send)
            return
        if path == ENROL_PATH:
            body = await _read_body(receive, ENROL_MAX_BODY)
            if body is None:
                await _answer(send, 413, f"request body over {ENROL_MAX_BODY} bytes")
                return
            await self._app(scope, _replay(body), send)
            return
        headers = {key.lower(): value for key, value in scope.get("headers", [])}
        token = _bearer(headers.get(b"authorization", b""))
        identity = (
            await anyio.to_thread.run_sync(self._service.authenticate, token) if token else None
        )
        if identity is None:
            await _answer(send, 401, "unknown or revoked kiosk key", {"www-authenticate": "Bearer"})
            return
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self._max_body:
            await _answer(send, 413, f"request body over {self._max_body} bytes")
            return
        body = await _read_body(receive, self._max_body)
        if body is None:
            await _answer(send, 413, f"request body over {self._max_body} bytes")
            return
        scope.setdefault("state", {})["kiosk"] = identity
        await self._app(scope, _replay(body), send)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None once it passes ``limit`` (reading stops there)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = bytes(message.get("body", b""))
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _bearer(value: bytes) -> str:
    scheme, _, token = value.decode("latin-1").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def _answer(send: Send, code: int, detail: str, extra: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": code, "headers": headers})
    await send({"type": "http.response.body", "body": body})
