"""Each kiosk's last word about itself (version, backlog, clock), for the admin's kiosk list."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kiosk.hub import schema as t
from kiosk.hub.records import KioskIdentity
from kiosk.hub.schema_site import kiosk_status
from kiosk.records import record
from kiosk.wire import Clock, from_db, to_db


def record_status(
    engine: Engine, clock: Clock, kiosk: KioskIdentity, version: str, outbox: int, their_clock: str
) -> None:
    now = clock()
    offset = (from_db(their_clock) - now).total_seconds()  # ValueError for a malformed time
    row = {
        "last_seen": to_db(now),
        "version": version,
        "outbox": outbox,
        "clock_offset_s": round(offset, 1),
    }
    c = kiosk_status.c
    with engine.begin() as db:
        if not db.execute(kiosk_status.update().where(c.kiosk_id == kiosk.kiosk_id), row).rowcount:
            db.execute(kiosk_status.insert(), {**row, "kiosk_id": kiosk.kiosk_id})


@record
class KioskRow:
    kiosk_id: str
    created_at: str
    revoked_at: str | None
    last_seen: str | None
    version: str | None
    outbox: int | None
    clock_offset_s: float | None


def site_kiosks(engine: Engine, site: str) -> list[KioskRow]:
    k, s = t.kiosks.c, kiosk_status.c
    with engine.connect() as db:
        rows = db.execute(
            sa.select(
                k.kiosk_id,
                k.created_at,
                k.revoked_at,
                s.last_seen,
                s.version,
                s.outbox,
                s.clock_offset_s,
            )
            .select_from(t.kiosks.outerjoin(kiosk_status, s.kiosk_id == k.kiosk_id))
            .where(k.site == site)
            .order_by(k.kiosk_id)
        ).all()
    return [KioskRow(**row._mapping) for row in rows]
