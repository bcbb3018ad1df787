"""Deny-list alerts at the hub: each kiosk sends what its deny list flagged (a guest refused, or
admitted close to an entry), and the console shows today's to the front desk with the entry's
reason and, for an admitted guest, the name if the site sends names. Needed on the day only: the
hub's purge drops those older than two days."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kiosk.hub import schema as t
from kiosk.wire import day_span, from_db, to_db

KINDS = ("denied", "near_match")


def take_alerts(engine: Engine, site: str, kiosk_id: str, rows: Sequence[Mapping[str, Any]]) -> int:
    """Store a kiosk's alerts; one sent twice is stored once. Returns how many were new."""
    added = 0
    with engine.begin() as db:
        for row in rows:
            kind = str(row.get("kind", ""))
            if kind not in KINDS:
                continue
            key = (t.alerts.c.site == site) & (t.alerts.c.kiosk_id == kiosk_id)
            key &= t.alerts.c.alert_id == int(row["id"])
            if db.execute(sa.select(t.alerts.c.alert_id).where(key)).first():
                continue
            db.execute(
                t.alerts.insert(),
                {
                    "site": site,
                    "kiosk_id": kiosk_id,
                    "alert_id": int(row["id"]),
                    "at": to_db(from_db(str(row["at"]))),
                    "kind": kind,
                    "deny_id": str(row["deny_id"])[:32],
                    "visit_id": str(row["visit_id"])[:64] if row.get("visit_id") else None,
                },
            )
            added += 1
    return added


def alerts_on(engine: Engine, site: str, day: date, zone: tzinfo) -> list[dict[str, Any]]:
    """The site's alerts on ``day`` (site time), newest first, with the deny entry's reason and
    the admitted visitor's name where the hub has one."""
    a, d, v = t.alerts.c, t.deny.c, t.visits.c
    first, last = day_span(day, zone)
    with engine.connect() as db:
        rows = db.execute(
            sa.select(a.at, a.kind, a.kiosk_id, a.visit_id, d.reason, v.name)
            .select_from(t.alerts)
            .outerjoin(t.deny, (d.site == a.site) & (d.deny_id == a.deny_id))
            .outerjoin(t.visits, (v.site == a.site) & (v.visit_id == a.visit_id))
            .where(a.site == site, a.at >= first, a.at < last)
            .order_by(a.at.desc())
        ).all()
    return [dict(row._mapping) for row in rows]
