"""Evacuation roll calls in the console: one open roll call per site at a time, a snapshot of who
was on site when it started, ticks from any number of phones at once (each with who and when),
and a close with its summary. Every step goes to the console audit trail."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kiosk.hub import schema as t
from kiosk.hub.audit_trail import audit
from kiosk.hub.schema_audit import console_audit
from kiosk.hub.service import HubService
from kiosk.records import record
from kiosk.wire import Clock, badge_code, safe_cell, to_db


@record
class Person:
    visit_id: str
    name: str
    host: str
    kiosk_id: str
    checked_in_at: str
    ticked_at: str | None
    ticked_by: str | None


@record
class RollCall:
    roll_call_id: str
    site: str
    started_at: str
    started_by: str
    closed_at: str | None
    changes: int
    people: tuple[Person, ...]

    @property
    def accounted(self) -> int:
        return sum(1 for p in self.people if p.ticked_at)

    @property
    def missing(self) -> int:
        return len(self.people) - self.accounted


class RollCalls:
    def __init__(self, service: HubService, clock: Clock) -> None:
        self._service = service
        self._engine: Engine = service.engine
        self._clock = clock

    def open_one(self, site: str) -> RollCall | None:
        r = t.roll_calls.c
        with self._engine.connect() as db:
            row = db.execute(
                sa.select(r.roll_call_id).where(r.site == site, r.closed_at.is_(None))
            ).first()
        return self.get(site, row.roll_call_id) if row else None

    def start(self, site: str, login: str) -> RollCall:
        """The open roll call of the site, or a new one: everyone on site now, at every kiosk."""
        existing = self.open_one(site)
        if existing is not None:
            return existing
        hosts = self._service.host_names(site)
        roll_call_id, now = str(uuid.uuid4()), to_db(self._clock())
        people = [
            {
                "roll_call_id": roll_call_id,
                "visit_id": row["visit_id"],
                "name": row["name"] or f"#{badge_code(str(row['visit_id']))}",
                "host": hosts.get(row["host_id"], row["host_id"] or ""),
                "kiosk_id": row["kiosk_id"],
                "checked_in_at": row["checked_in_at"],
            }
            for row in self._service.on_site(site)
        ]
        with self._engine.begin() as db:
            db.execute(
                t.roll_calls.insert(),
                {
                    "roll_call_id": roll_call_id,
                    "site": site,
                    "started_at": now,
                    "started_by": login,
                    "changes": 0,
                },
            )
            if people:
                db.execute(t.roll_call_people.insert(), people)
            audit(db, now, site, login, "roll call started", roll_call_id, f"{len(people)} on site")
        return self.get(site, roll_call_id)  # type: ignore[return-value]

    def get(self, site: str, roll_call_id: str) -> RollCall | None:
        """A roll call of ``site`` (another site's id gives None, never its people)."""
        r, p = t.roll_calls.c, t.roll_call_people.c
        with self._engine.connect() as db:
            head = db.execute(
                sa.select(t.roll_calls).where(r.roll_call_id == roll_call_id, r.site == site)
            ).first()
            if head is None:
                return None
            rows = db.execute(
                sa.select(t.roll_call_people)
                .where(p.roll_call_id == roll_call_id)
                .order_by(p.checked_in_at, p.visit_id)
            ).all()
        people = tuple(
            Person(
                row.visit_id,
                row.name,
                row.host,
                row.kiosk_id,
                row.checked_in_at,
                row.ticked_at,
                row.ticked_by,
            )
            for row in rows
        )
        return RollCall(
            head.roll_call_id,
            head.site,
            head.started_at,
            head.started_by,
            head.closed_at,
            int(head.changes),
            people,
        )

    def tick(
        self, site: str, roll_call_id: str, visit_id: str, login: str, accounted: bool
    ) -> bool:
        """Mark a person accounted for (the first tick's time and name are kept) or not."""
        p, r = t.roll_call_people.c, t.roll_calls.c
        now = to_db(self._clock())
        with self._engine.begin() as db:
            open_here = db.execute(
                sa.select(r.roll_call_id).where(
                    r.roll_call_id == roll_call_id, r.site == site, r.closed_at.is_(None)
                )
            ).first()
            if open_here is None:
                return False
            where = (p.roll_call_id == roll_call_id) & (p.visit_id == visit_id)
            if accounted:
                where &= p.ticked_at.is_(None)
                values: dict[str, Any] = {"ticked_at": now, "ticked_by": login}
            else:
                where &= p.ticked_at.is_not(None)
                values = {"ticked_at": None, "ticked_by": None}
            changed = db.execute(t.roll_call_people.update().where(where).values(**values)).rowcount
            if changed:
                db.execute(
                    t.roll_calls.update()
                    .where(r.roll_call_id == roll_call_id)
                    .values(changes=r.changes + 1)
                )
                action = "accounted for" if accounted else "tick removed"
                audit(db, now, site, login, action, roll_call_id, visit_id)
        return bool(changed)

    def close(self, site: str, roll_call_id: str, login: str) -> RollCall | None:
        r = t.roll_calls.c
        now = to_db(self._clock())
        with self._engine.begin() as db:
            closed = db.execute(
                t.roll_calls.update()
                .where(r.roll_call_id == roll_call_id, r.site == site, r.closed_at.is_(None))
                .values(closed_at=now, closed_by=login, changes=r.changes + 1)
            ).rowcount
        roll_call = self.get(site, roll_call_id)
        if closed and roll_call is not None:
            with self._engine.begin() as db:
                summary = f"{roll_call.accounted} accounted for, {roll_call.missing} missing"
                audit(db, now, site, login, "roll call closed", roll_call_id, summary)
        return roll_call

    def audit_trail(self, site: str) -> list[dict[str, Any]]:
        a = console_audit.c
        with self._engine.connect() as db:
            rows = db.execute(sa.select(console_audit).where(a.site == site).order_by(a.id)).all()
        return [dict(row._mapping) for row in rows]


def roll_call_csv(roll_call: RollCall) -> str:
    """Name, host, kiosk, checked in, accounted for (time and who): for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "host", "kiosk", "checked_in_at", "accounted_at", "accounted_by"])
    for person in roll_call.people:
        writer.writerow(
            [
                safe_cell(person.name),
                safe_cell(person.host),
                safe_cell(person.kiosk_id),
                person.checked_in_at,
                person.ticked_at or "",
                safe_cell(person.ticked_by or ""),
            ]
        )
    return out.getvalue()
