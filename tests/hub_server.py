"""The reference hub served for real: uvicorn on 127.0.0.1 at a free port, in a thread, over a
database the test chose, with the test's clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

import sqlalchemy as sa
import uvicorn

from kiosk.hub import schema as hub_schema
from kiosk.hub.api import create_app
from kiosk.hub.database import open_engine
from kiosk.hub.schema import migrate
from kiosk.hub.service import HubService
from kiosk.timeutil import Clock, from_db, to_db
from tests.bench.aged_store import VISIT, month_of_check_ins


def hub_rows(service: HubService, sql: str) -> list[dict[str, Any]]:
    """What the hub's database holds, read with plain SQL beside the service."""
    with service._engine.connect() as db:
        return [dict(row._mapping) for row in db.execute(sa.text(sql))]


def grow_hub(hub: HubService, visits: int, due: str) -> None:
    """``visits`` visits of one site, the last due for purging at ``due``, each with the receipt
    of its check-in, as a month of a busy site leaves them: ids as its kiosks make them, each
    visit checked out at the kiosk it came in at, two hours later."""
    guests = month_of_check_ins(visits, from_db(due))
    with hub._engine.begin() as db:
        for start in range(0, visits, 20_000):
            month = [(i, came, to_db(until)) for i, came, until in islice(guests, 20_000)]
            db.execute(
                hub_schema.visits.insert(),
                [
                    {"site": "demo", "visit_id": i, "kiosk_id": "lobby-1", "host_id": "h-chen",
                     "purpose": "meeting", "checked_in_at": to_db(came), "purge_after": until,
                     "checked_out_at": to_db(came + VISIT), "checked_out_by": "lobby-1",
                     "checked_out_seq": start + n + 1}
                    for n, (i, came, until) in enumerate(month)
                ],
            )  # fmt: skip
            db.execute(
                hub_schema.receipts.insert(),
                [
                    {"kiosk_id": "lobby-1", "idempotency_key": f"{i}:checkin", "visit_id": i,
                     "body_hash": "0" * 64, "answer": "{}", "purge_after": until}
                    for i, _, until in month
                ],
            )  # fmt: skip
        counter = hub_schema.counter
        db.execute(counter.update().where(counter.c.name == "checkout").values(value=visits))


def hub_service(
    db_url: str, clock: Clock, max_retention_days: int = 30, audit_days: int = 365
) -> HubService:
    engine = open_engine(db_url)
    migrate(engine, to_db(clock()))
    return HubService(engine, clock, max_retention_days, audit_days)


@contextmanager
def serve_hub(
    service: HubService,
    purge_interval: float = 0,
    mail_url: str = "",
    timezone: str = "Asia/Taipei",
    without: tuple[str, ...] = (),
) -> Iterator[str]:
    """Yields the hub's base URL; stops the server on exit. ``without``: paths to leave out, as
    a hub of an earlier release would not have them."""
    app = create_app(service, purge_interval=purge_interval, mail_url=mail_url, timezone=timezone)
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", "") not in without]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,  # uvicorn binds a free port (a socket we bound answered each request ~40 ms late)
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test hub did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
