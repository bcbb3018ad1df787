"""Front-desk work in the console that changes visits: checking a guest out from a phone or PC.

The check-out is written the way a kiosk's would be (with the next number of the site-wide
check-out feed), so the kiosk where the guest checked in learns it on its next sync, marks the
visit checked out and revokes the badge. The first check-out wins; every one is audited."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kiosk.hub import schema as t
from kiosk.hub.audit_trail import audit
from kiosk.wire import Clock, to_db


def check_out(engine: Engine, clock: Clock, site: str, visit_id: str, login: str) -> bool:
    """True if the visit (of ``site``, on site until now) is checked out by this call."""
    v, counter = t.visits.c, t.counter.c
    now = to_db(clock())
    with engine.begin() as db:
        on_site = db.execute(
            sa.select(v.visit_id).where(
                v.site == site, v.visit_id == visit_id, v.checked_out_at.is_(None)
            )
        ).first()
        if on_site is None:
            return False
        db.execute(
            t.counter.update().where(counter.name == "checkout").values(value=counter.value + 1)
        )
        seq = db.execute(sa.select(counter.value).where(counter.name == "checkout")).scalar_one()
        done = db.execute(
            t.visits.update()
            .where(v.site == site, v.visit_id == visit_id, v.checked_out_at.is_(None))
            .values(checked_out_at=now, checked_out_by=f"console:{login}"[:64], checked_out_seq=seq)
        ).rowcount
        if done:
            audit(db, now, site, login, "checked out", visit_id, "console")
    return bool(done)
