"""What the hub does, without HTTP: ingest events exactly once, answer lists, erase and purge.

Every method opens its own transaction on the shared database and keeps nothing in memory, so any
number of hub processes can serve the same kiosks.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from kiosk.give_way import GiveWay
from kiosk.hub import directory_tags
from kiosk.hub import schema as t
from kiosk.hub.erasing import bury, reclaim_space
from kiosk.hub.ingest import Batch, ClashError
from kiosk.hub.purging import KIOSKS_AROUND, PurgeRun
from kiosk.hub.records import (
    DENY_FIELDS,
    KioskIdentity,
    ReceiptInUseError,
    RecordRejectedError,
    clean_text,
    deny_row,
)
from kiosk.wire import ROLL_CALL_KEPT, Clock, Host, to_db

__all__ = ["HubService", "KioskIdentity", "ReceiptInUseError", "RecordRejectedError"]

ERASURE_RECEIPT_DAYS = 365  # the receipt (no personal data) proves a request was honoured
TOKEN_PREFIX = "lkh_"  # noqa: S105 (a prefix that makes leaked keys easy to find, not a secret)


def hash_token(token: str) -> str:
    """API keys are 256-bit random, so one SHA-256 is enough to make the stored form useless."""
    return hashlib.sha256(token.encode()).hexdigest()


class HubService:
    def __init__(
        self, engine: Engine, clock: Clock, max_retention_days: int = 30, audit_days: int = 365
    ) -> None:
        self._engine = engine
        self._clock = clock
        self.max_retention = timedelta(days=max_retention_days)
        # the console's audit trail: who did what is kept a year by default (0: for good)
        self.audit_kept = timedelta(days=audit_days) if audit_days else None
        self._give_way = GiveWay()

    @property
    def engine(self) -> Engine:
        """The hub's database, for the parts that keep their own tables (console accounts)."""
        return self._engine

    @property
    def clock(self) -> Clock:
        return self._clock

    def close(self) -> None:
        """Close the pooled connections (PostgreSQL would otherwise keep them open)."""
        self._engine.dispose()

    # -- kiosks --------------------------------------------------------------------------------

    def add_kiosk(self, kiosk_id: str, site: str) -> str:
        """Register a kiosk (or give it a new key); returns the bearer token, shown only once."""
        if not kiosk_id.strip() or not site.strip():
            raise ValueError("a kiosk needs an id and a site")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = {"site": site, "key_hash": hash_token(token), "revoked_at": None}
        with self._engine.begin() as db:
            updated = db.execute(t.kiosks.update().where(t.kiosks.c.kiosk_id == kiosk_id), row)
            if not updated.rowcount:
                db.execute(
                    t.kiosks.insert(),
                    {**row, "kiosk_id": kiosk_id, "created_at": to_db(self._clock())},
                )
        return token

    def revoke_kiosk(self, kiosk_id: str) -> bool:
        with self._engine.begin() as db:
            done = db.execute(
                t.kiosks.update()
                .where(t.kiosks.c.kiosk_id == kiosk_id)
                .values(revoked_at=to_db(self._clock()))
            )
        return bool(done.rowcount)

    def authenticate(self, token: str) -> KioskIdentity | None:
        with self._engine.connect() as db:
            row = db.execute(
                sa.select(t.kiosks.c.kiosk_id, t.kiosks.c.site).where(
                    t.kiosks.c.key_hash == hash_token(token), t.kiosks.c.revoked_at.is_(None)
                )
            ).first()
        return KioskIdentity(row.kiosk_id, row.site) if row else None

    # -- events --------------------------------------------------------------------------------

    def ingest(
        self, kiosk: KioskIdentity, events: Sequence[Mapping[str, Any]]
    ) -> list[dict[str, Any]]:
        """One answer per event, in order. The whole batch is decided in memory and written with
        a few bulk statements; a rejected record changes nothing and the rest is kept. Only if
        another hub process stored some of the same records at the same moment (a unique-key
        clash) is the batch redone one record at a time, each then answered as a replay."""
        with self._give_way.foreground():
            now = self._clock()
            try:
                with self._engine.begin() as db:
                    return Batch(self.max_retention, db, kiosk, now).run(events)
            except (IntegrityError, ClashError):
                pass
            with self._engine.begin() as db:
                return [self._ingest_alone(db, kiosk, event, now) for event in events]

    def _ingest_alone(
        self, db: Connection, kiosk: KioskIdentity, event: Mapping[str, Any], now: datetime
    ) -> dict[str, Any]:
        """One record in its own savepoint; a clash means another process is storing it right
        now, so look again (its commit makes it a replay)."""
        for _attempt in range(5):
            try:
                with db.begin_nested():
                    return Batch(self.max_retention, db, kiosk, now).run([event])[0]
            except (IntegrityError, ClashError):
                continue
        key = str(event.get("idempotency_key", ""))[:160]
        reason = "conflicts with a visit the hub already holds"
        return {"idempotency_key": key, "status": "rejected", "reason": reason}

    # -- lists the kiosks pull -----------------------------------------------------------------

    def on_site(self, site: str) -> list[dict[str, Any]]:
        """Everyone checked in and not out at any kiosk of the site, earliest first."""
        columns = ("visit_id", "kiosk_id", "host_id", "purpose", "checked_in_at", "name")
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(*(t.visits.c[name] for name in columns))
                .where(t.visits.c.site == site, t.visits.c.checked_out_at.is_(None))
                .order_by(t.visits.c.checked_in_at)
            ).all()
        return [dict(row._mapping) for row in rows]

    def checkouts_elsewhere(
        self, kiosk: KioskIdentity, since: int
    ) -> tuple[list[dict[str, Any]], int]:
        """This kiosk's visits that another kiosk checked out after change number ``since``."""
        v = t.visits.c
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(v.visit_id, v.checked_out_at, v.checked_out_by, v.checked_out_seq)
                .where(
                    v.site == kiosk.site,
                    v.kiosk_id == kiosk.kiosk_id,
                    v.checked_out_by != v.kiosk_id,  # in these words: the index's (schema.py)
                    v.checked_out_seq > since,
                )
                .order_by(v.checked_out_seq)
            ).all()
        cursor = max([since, *(int(row.checked_out_seq) for row in rows)])
        listed = [
            {"visit_id": r.visit_id, "checked_out_at": r.checked_out_at, "by": r.checked_out_by}
            for r in rows
        ]
        return listed, cursor

    def hosts(self, site: str) -> list[dict[str, Any]]:
        with self._engine.connect() as db:
            return _host_rows(db, site)

    def directory(
        self, site: str, if_none_match: str | None = None
    ) -> tuple[str | None, list[dict[str, Any]] | None]:
        """(tag, hosts) for ``GET /v1/hosts``; no hosts when ``if_none_match`` names the current
        tag. The tag is read before the rows: a change in between leaves the kiosk an old tag
        with the new rows, which it then reads once more, never a new tag with old rows."""
        with self._engine.connect() as db:
            tag = directory_tags.current(db, site)
            if directory_tags.matches(if_none_match, tag):
                return tag, None
            return tag, _host_rows(db, site)

    def host_names(self, site: str) -> dict[str, str]:
        """Host id -> name in the site's directory, for pages and lists that show hosts."""
        return {host["id"]: host["name"] for host in self.hosts(site)}

    def import_hosts(self, site: str, hosts: Iterable[Host]) -> int:
        count = 0
        with self._engine.begin() as db:
            for host in hosts:
                row = {
                    "name": host.name,
                    "department": host.department,
                    "email": host.email,
                    "notify": json.dumps(list(host.notify)),
                    "language": host.language,
                    "active": host.active,
                    "company_id": host.company_id,
                }
                where = (t.hosts.c.site == site) & (t.hosts.c.host_id == host.id)
                if not db.execute(t.hosts.update().where(where), row).rowcount:
                    db.execute(t.hosts.insert(), {**row, "site": site, "host_id": host.id})
                count += 1
            if count:
                directory_tags.changed(db, site)
        return count

    def deny_entries(self, site: str) -> list[dict[str, Any]]:
        d = t.deny.c
        now = to_db(self._clock())
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(*(d[name] for name in DENY_FIELDS))
                .where(
                    d.site == site,
                    d.removed_at.is_(None),
                    sa.or_(d.expires_at.is_(None), d.expires_at > now),
                )
                .order_by(d.created_at)
            ).all()
        return [dict(row._mapping) for row in rows]

    def update_deny(
        self, kiosk: KioskIdentity, entries: Sequence[Mapping[str, Any]], removed: Sequence[str]
    ) -> None:
        """Entries a kiosk's staff added (upserted by id) and ids they removed, for the site."""
        now = to_db(self._clock())
        with self._engine.begin() as db:
            for entry in entries:
                row = deny_row(entry, kiosk)
                where = (t.deny.c.deny_id == row["deny_id"]) & (t.deny.c.site == kiosk.site)
                if not db.execute(t.deny.update().where(where), row).rowcount:
                    db.execute(t.deny.insert(), {**row, "site": kiosk.site})
            if removed:
                ids = [clean_text("removed deny_id", deny_id, 64) for deny_id in removed]
                db.execute(
                    t.deny.update()
                    .where(t.deny.c.site == kiosk.site, t.deny.c.deny_id.in_(ids))
                    .values(removed_at=now)
                )

    # -- erasure and retention -----------------------------------------------------------------

    def erase(self, kiosk: KioskIdentity, receipt: str, visit_ids: Sequence[str]) -> dict[str, Any]:
        """Erase visits of the kiosk's site on a person's request; the receipt makes it
        idempotent and a tombstone stops a late replay from bringing a visit back."""
        now = self._clock()
        clean_text("receipt", receipt, 64)
        with self._engine.begin() as db:
            done = db.execute(
                sa.select(t.erasures.c.erased, t.erasures.c.kiosk_id).where(
                    t.erasures.c.receipt == receipt
                )
            ).first()
            if done is not None:
                if done.kiosk_id != kiosk.kiosk_id:  # says nothing of another kiosk's request
                    raise ReceiptInUseError("this receipt id is already in use; choose another")
                return {"receipt": receipt, "erased": int(done.erased), "replayed": True}
            ids = [clean_text("visit_id", visit_id, 64) for visit_id in visit_ids]
            erased = bury(db, kiosk.site, ids, to_db(now + self.max_retention))
            db.execute(
                t.erasures.insert(),
                {
                    "receipt": receipt,
                    "kiosk_id": kiosk.kiosk_id,
                    "received_at": to_db(now),
                    "erased": erased,
                },
            )
        self._reclaim_space()
        return {"receipt": receipt, "erased": erased}

    def purge(self, now: datetime | None = None) -> dict[str, int]:
        """Delete everything past its time, in chunks so ingest never waits long on it."""
        at = now or self._clock()
        moment = to_db(at)
        receipts_before = to_db(at - timedelta(days=ERASURE_RECEIPT_DAYS))
        with PurgeRun(self._engine, self._give_way) as run:
            counts = {
                "visits": run.table(t.visits, t.visits.c.purge_after, moment),
                "receipts": run.table(t.receipts, t.receipts.c.purge_after, moment),
                "tombstones": run.table(t.tombstones, t.tombstones.c.until, moment),
                "erasures": run.table(t.erasures, t.erasures.c.received_at, receipts_before),
                "deny": run.table(t.deny, t.deny.c.expires_at, moment),
                # an invitation holds a name and an email; once its window ended, for nothing
                "invitations": run.table(t.invitations, t.invitations.c.ends_at, moment),
                "roll_calls": self._purge_roll_calls(to_db(at - ROLL_CALL_KEPT)),
            }
            with self._engine.begin() as db:
                counts["deny"] += db.execute(
                    t.deny.delete().where(t.deny.c.removed_at.is_not(None))
                ).rowcount
                # deny-list alerts are for the front desk on the day
                counts["alerts"] = db.execute(
                    t.alerts.delete().where(t.alerts.c.at < to_db(at - timedelta(days=2)))
                ).rowcount
        if any(counts.values()):
            self._reclaim_space()
        return counts

    def _purge_roll_calls(self, started_before: str) -> int:
        """Roll calls started before ``started_before``, with the names and hosts they copied
        (kept for good before: the hub's copy of a visit outlived the visit). The audit trail
        keeps that each happened, with its counts, by id. A site holds a few: one transaction."""
        r, p = t.roll_calls.c, t.roll_call_people.c
        old = sa.select(r.roll_call_id).where(r.started_at < started_before)
        with self._engine.begin() as db:
            db.execute(t.roll_call_people.delete().where(p.roll_call_id.in_(old)))
            return int(
                db.execute(t.roll_calls.delete().where(r.started_at < started_before)).rowcount
            )

    def _reclaim_space(self) -> None:
        reclaim_space(self._engine, gently=self._give_way.busy_within(KIOSKS_AROUND))

    def health(self) -> dict[str, Any]:
        with self._engine.connect() as db:
            version = db.execute(sa.select(sa.func.max(t.schema_version.c.version))).scalar()
        return {"status": "ok", "schema": int(version or 0), "time": to_db(self._clock())}


def _host_rows(db: Connection, site: str) -> list[dict[str, Any]]:
    h = t.hosts.c
    rows = db.execute(sa.select(t.hosts).where(h.site == site).order_by(h.host_id)).all()
    return [
        {
            "id": r.host_id,
            "name": r.name,
            "department": r.department,
            "email": r.email,
            "notify": json.loads(r.notify),
            "language": r.language,
            "active": bool(r.active),
            "company_id": r.company_id,
        }
        for r in rows
    ]
