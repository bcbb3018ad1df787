"""The reference hub served for real: uvicorn on 127.0.0.1 at a free port, in a thread, over a
database the test chose, with the test's clock."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from kiosk.hub.api import create_app
from kiosk.hub.database import open_engine
from kiosk.hub.schema import migrate
from kiosk.hub.service import HubService
from kiosk.timeutil import Clock, to_db


def hub_service(db_url: str, clock: Clock, max_retention_days: int = 30) -> HubService:
    engine = open_engine(db_url)
    migrate(engine, to_db(clock()))
    return HubService(engine, clock, max_retention_days)


@contextmanager
def serve_hub(service: HubService, purge_interval: float = 0) -> Iterator[str]:
    """Yields the hub's base URL; stops the server on exit."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(service, purge_interval=purge_interval),
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test hub did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
