"""A person's request made once at the hub, for every kiosk of the site.

The privacy officer asks at the hub (``kiosk hub rights …`` or the console's privacy page). The
hub keeps only a keyed hash of the address (``kiosk.wire.email_key`` with the site's rights key)
and a task per kiosk of the site; each kiosk fetches its task on its next sync, erases (or
exports) the person's visits itself, and reports back with counts and the visit ids, so the hub
erases its own copies of them too. The hub also erases, at once, what it can match itself (visits
synced with an address, console invitations). Export data waits at the hub until downloaded or
for seven days. Every step goes to the hub's audit trail, by receipt, never by address.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk.hub import schema as t
from kiosk.hub.audit_trail import audit
from kiosk.hub.erasing import bury, reclaim_space
from kiosk.hub.records import KioskIdentity, RecordRejectedError, clean_text
from kiosk.hub.schema_site import rights_exports, rights_requests, rights_tasks
from kiosk.hub.service import HubService
from kiosk.hub.site_keys import RIGHTS, site_secret
from kiosk.records import field, record
from kiosk.wire import email_key, from_db, to_db

KINDS = ("export", "erase")
EXPORT_KEPT = timedelta(days=7)
REQUEST_KEPT = timedelta(days=365)  # the receipt (no personal data) proves what was done
HUB = "hub"  # the kiosk id under which the hub files its own copies in an export


class UnknownRequestError(LookupError):
    """No such receipt for this site (or kiosk)."""


@record(frozen=False)
class RequestStatus:
    receipt: str
    site: str
    kind: str
    created_at: str
    created_by: str
    kiosks: dict[str, str] = field(default_factory=dict)  # kiosk id -> done, pending, revoked
    visits: dict[str, int] = field(default_factory=dict)  # kiosk id (and "hub") -> visits
    downloaded_at: str | None = None
    data_until: str = ""

    @property
    def complete(self) -> bool:
        return all(state != "pending" for state in self.kiosks.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "receipt": self.receipt,
            "site": self.site,
            "kind": self.kind,
            "created_at": self.created_at,
            "kiosks": self.kiosks,
            "visits": self.visits,
            "complete": self.complete,
            "downloaded_at": self.downloaded_at,
        }


class RightsDesk:
    def __init__(self, service: HubService) -> None:
        self._service = service
        self._engine = service.engine
        self._clock = service.clock

    def request(self, site: str, kind: str, email: str, by: str) -> str:
        """Record the request, erase (or collect) the hub's own matching copies, and leave a task
        for every kiosk of the site; returns the receipt."""
        if kind not in KINDS:
            raise ValueError(f"a rights request is one of {', '.join(KINDS)}")
        rights_key = site_secret(self._engine, self._clock, site, RIGHTS)
        wanted = email_key(rights_key, email)
        now = self._clock()
        receipt = secrets.token_hex(6).upper()
        k = t.kiosks.c
        with self._engine.begin() as db:
            kiosks = db.execute(
                sa.select(k.kiosk_id).where(k.site == site, k.revoked_at.is_(None))
            ).scalars()
            tasks = [{"receipt": receipt, "kiosk_id": kiosk_id} for kiosk_id in kiosks]
            own = self._own_copies(db, site, rights_key, wanted, kind, receipt, to_db(now))
            db.execute(
                rights_requests.insert(),
                {
                    "receipt": receipt,
                    "site": site,
                    "kind": kind,
                    "email_hash": wanted if tasks else "",
                    "created_at": to_db(now),
                    "created_by": by,
                    "hub_visits": own,
                    "data_until": to_db(now + EXPORT_KEPT),
                },
            )
            if tasks:
                db.execute(rights_tasks.insert(), tasks)
            audit(db, to_db(now), site, by, f"rights_{kind}", receipt, f"kiosks={len(tasks)}")
        if kind == "erase":
            reclaim_space(self._engine)
        return receipt

    def _own_copies(
        self,
        db: Connection,
        site: str,
        rights_key: bytes,
        wanted: str,
        kind: str,
        receipt: str,
        now: str,
    ) -> int:
        """What the hub itself holds under the address: visits synced with their email, and
        console invitations. Erased now, or filed for the export."""
        v, i = t.visits.c, t.invitations.c
        visits = [
            row
            for row in db.execute(sa.select(t.visits).where(v.site == site, v.email.is_not(None)))
            if email_key(rights_key, row.email) == wanted
        ]
        invited = [
            row
            for row in db.execute(sa.select(t.invitations).where(i.site == site))
            if email_key(rights_key, row.email) == wanted
        ]
        if kind == "erase":
            until = to_db(from_db(now) + self._service.max_retention)
            bury(db, site, [row.visit_id for row in visits], until)
            codes = [row.code for row in invited]
            if codes:
                db.execute(t.invitations.delete().where(i.code.in_(codes)))
        else:
            records = [_hub_visit(row._mapping) for row in visits]
            records += [_invitation(row._mapping) for row in invited]
            db.execute(
                rights_exports.insert(),
                {"receipt": receipt, "kiosk_id": HUB, "records": json.dumps(records)},
            )
        return len(visits) + len(invited)

    def pending(self, kiosk: KioskIdentity) -> list[dict[str, str]]:
        """The requests this kiosk has still to answer, oldest first."""
        r, k = rights_requests.c, rights_tasks.c
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(r.receipt, r.kind, r.email_hash)
                .join(rights_tasks, k.receipt == r.receipt)
                .where(k.kiosk_id == kiosk.kiosk_id, k.done_at.is_(None), r.site == kiosk.site)
                .order_by(r.created_at)
            ).all()
        return [dict(row._mapping) for row in rows]

    def report(
        self,
        kiosk: KioskIdentity,
        receipt: str,
        visit_ids: Sequence[str],
        records: Sequence[Mapping[str, Any]],
    ) -> None:
        """A kiosk has done its part; a repeated report changes nothing."""
        r, k = rights_requests.c, rights_tasks.c
        now = self._clock()
        ids = [clean_text("visit_id", visit_id, 64) for visit_id in visit_ids]
        with self._engine.begin() as db:
            found = db.execute(
                sa.select(r.kind, k.done_at)
                .join(rights_tasks, k.receipt == r.receipt)
                .where(r.receipt == receipt, r.site == kiosk.site, k.kiosk_id == kiosk.kiosk_id)
            ).first()
            if found is None:
                raise UnknownRequestError(receipt)
            if found.done_at is not None:
                return
            if found.kind == "erase":
                bury(db, kiosk.site, ids, to_db(now + self._service.max_retention))
            else:
                body = json.dumps(list(records), ensure_ascii=False)
                if len(body) > 1_500_000:
                    raise RecordRejectedError("an export answer is over 1.5 MB")
                try:
                    body.encode("utf-8")
                except UnicodeEncodeError:  # a lone surrogate: no database can store it
                    raise RecordRejectedError(
                        "an export answer holds text that is not Unicode"
                    ) from None
                db.execute(
                    rights_exports.insert(),
                    {"receipt": receipt, "kiosk_id": kiosk.kiosk_id, "records": body},
                )
            count = len(ids) if found.kind == "erase" else len(records)
            db.execute(
                rights_tasks.update()
                .where(k.receipt == receipt, k.kiosk_id == kiosk.kiosk_id)
                .values(done_at=to_db(now), visits=count)
            )
            audit(
                db,
                to_db(now),
                kiosk.site,
                f"kiosk:{kiosk.kiosk_id}",
                f"rights_{found.kind}_done",
                receipt,
                f"visits={count}",
            )
            self._forget_address_when_answered(db, receipt)
        if found.kind == "erase":
            reclaim_space(self._engine)

    def _forget_address_when_answered(self, db: Connection, receipt: str) -> None:
        """Once no kiosk that can still sync waits on it, the hash of the address goes too."""
        k, kk = rights_tasks.c, t.kiosks.c
        waiting = db.execute(
            sa.select(sa.func.count())
            .select_from(rights_tasks.join(t.kiosks, kk.kiosk_id == k.kiosk_id))
            .where(k.receipt == receipt, k.done_at.is_(None), kk.revoked_at.is_(None))
        ).scalar_one()
        if not waiting:
            db.execute(
                rights_requests.update()
                .where(rights_requests.c.receipt == receipt)
                .values(email_hash="")
            )

    def status(self, site: str, receipt: str) -> RequestStatus:
        found = self.requests(site, receipt)
        if not found:
            raise UnknownRequestError(receipt)
        return found[0]

    def requests(self, site: str, receipt: str = "") -> list[RequestStatus]:
        """The site's requests, newest first (or the one with this receipt; any site's for "")."""
        r, k, kk = rights_requests.c, rights_tasks.c, t.kiosks.c
        where = ([r.site == site] if site else []) + ([r.receipt == receipt] if receipt else [])
        with self._engine.connect() as db:
            asked = db.execute(
                sa.select(rights_requests).where(*where).order_by(r.created_at.desc()).limit(100)
            ).all()
            answers = db.execute(
                sa.select(k.receipt, k.kiosk_id, k.done_at, k.visits, kk.revoked_at)
                .select_from(rights_tasks.outerjoin(t.kiosks, kk.kiosk_id == k.kiosk_id))
                .where(k.receipt.in_([row.receipt for row in asked]))
                .order_by(k.kiosk_id)
            ).all()
        found = {
            row.receipt: RequestStatus(
                row.receipt,
                row.site,
                row.kind,
                row.created_at,
                row.created_by,
                visits={HUB: int(row.hub_visits)},
                downloaded_at=row.downloaded_at,
                data_until=row.data_until,
            )
            for row in asked
        }
        for answer in answers:
            status = found[answer.receipt]
            state = "done" if answer.done_at else "revoked" if answer.revoked_at else "pending"
            status.kiosks[answer.kiosk_id] = state
            if answer.done_at:
                status.visits[answer.kiosk_id] = int(answer.visits)
        return list(found.values())

    def download(self, site: str, receipt: str, by: str) -> dict[str, Any]:
        """The person's records from every kiosk that answered and from the hub, once: the data
        is erased at the hub as it is handed over."""
        status = self.status(site, receipt)
        if status.kind != "export":
            raise UnknownRequestError(f"{receipt} is an erase request: there is nothing to fetch")
        if status.downloaded_at is not None:
            raise UnknownRequestError(
                f"{receipt} was already downloaded (or kept past seven days) and erased here"
            )
        now = self._clock()
        e = rights_exports.c
        with self._engine.begin() as db:
            held = db.execute(
                sa.select(e.kiosk_id, e.records).where(e.receipt == receipt).order_by(e.kiosk_id)
            ).all()
            db.execute(rights_exports.delete().where(e.receipt == receipt))
            db.execute(
                rights_requests.update()
                .where(rights_requests.c.receipt == receipt)
                .values(downloaded_at=to_db(now))
            )
            audit(db, to_db(now), site, by, "rights_download", receipt, f"parts={len(held)}")
        reclaim_space(self._engine)
        return {
            "receipt": receipt,
            "site": site,
            "requested_at": status.created_at,
            "downloaded_at": to_db(now),
            "kiosks": status.kiosks,
            "records": {row.kiosk_id: json.loads(row.records) for row in held},
        }

    def purge(self, at: datetime | None = None) -> int:
        """Export data past its seven days, and requests past a year; returns requests purged
        of data."""
        now = at or self._clock()
        r = rights_requests.c
        with self._engine.begin() as db:
            stale = list(
                db.execute(
                    sa.select(r.receipt, r.site).where(
                        r.kind == "export", r.downloaded_at.is_(None), r.data_until <= to_db(now)
                    )
                )
            )
            for row in stale:
                gone = db.execute(
                    rights_exports.delete().where(rights_exports.c.receipt == row.receipt)
                ).rowcount
                db.execute(
                    rights_requests.update()
                    .where(r.receipt == row.receipt)
                    .values(downloaded_at="", email_hash="")
                )
                if gone:
                    audit(db, to_db(now), row.site, "hub", "rights_expired", row.receipt, "")
            old = [
                row.receipt
                for row in db.execute(
                    sa.select(r.receipt).where(r.created_at <= to_db(now - REQUEST_KEPT))
                )
            ]
            if old:
                db.execute(rights_tasks.delete().where(rights_tasks.c.receipt.in_(old)))
                db.execute(rights_requests.delete().where(r.receipt.in_(old)))
        return len(stale)


def _hub_visit(row: Any) -> dict[str, Any]:
    names = ("visit_id", "kiosk_id", "host_id", "purpose", "checked_in_at", "checked_out_at")
    return {"record": "visit", **{name: row[name] for name in (*names, "name", "email")}}


def _invitation(row: Any) -> dict[str, Any]:
    names = ("code", "host_id", "name", "email", "starts_at", "ends_at")
    return {"record": "invitation", **{name: row[name] for name in names}}
