"""What the hub does, without HTTP: ingest events exactly once, answer lists, erase and purge.

Every method opens its own transaction on the shared database and keeps nothing in memory, so any
number of hub processes can serve the same kiosks.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from kiosk.config import SYNC_FIELDS
from kiosk.denylist import SHARED_FIELDS
from kiosk.hub import schema as t
from kiosk.models import Host
from kiosk.timeutil import Clock, from_db, to_db

EVENTS = ("checkin", "checkout")
PURGE_CHUNK = 500
ERASURE_RECEIPT_DAYS = 365  # the receipt (no personal data) proves a request was honoured
TOKEN_PREFIX = "lkh_"  # noqa: S105 (a prefix that makes leaked keys easy to find, not a secret)
DENY_FIELDS = ("deny_id", "key_id", *SHARED_FIELDS)


@dataclass(frozen=True)
class KioskIdentity:
    kiosk_id: str
    site: str


class RecordRejectedError(ValueError):
    """One record the hub will not take; the message is the reason the kiosk parks it with."""


def hash_token(token: str) -> str:
    """API keys are 256-bit random, so one SHA-256 is enough to make the stored form useless."""
    return hashlib.sha256(token.encode()).hexdigest()


class HubService:
    def __init__(self, engine: Engine, clock: Clock, max_retention_days: int = 30) -> None:
        self._engine = engine
        self._clock = clock
        self.max_retention = timedelta(days=max_retention_days)

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
        now = self._clock()
        with self._engine.begin() as db:
            try:
                with db.begin_nested():
                    return _Batch(self, db, kiosk, now).run(events)
            except (IntegrityError, _ClashError):
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
                    return _Batch(self, db, kiosk, now).run([event])[0]
            except (IntegrityError, _ClashError):
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
                    v.kiosk_id == kiosk.kiosk_id,
                    v.checked_out_by != kiosk.kiosk_id,
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
        h = t.hosts.c
        with self._engine.connect() as db:
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
                row = {name: entry.get(name) for name in DENY_FIELDS}
                if not row["deny_id"] or not row["key_id"] or not row["created_at"]:
                    raise RecordRejectedError("a deny entry needs deny_id, key_id and created_at")
                row["reason"] = str(row["reason"] or "-")[:200]
                row["created_by"] = str(row["created_by"] or kiosk.kiosk_id)[:64]
                where = (t.deny.c.deny_id == row["deny_id"]) & (t.deny.c.site == kiosk.site)
                if not db.execute(t.deny.update().where(where), row).rowcount:
                    db.execute(t.deny.insert(), {**row, "site": kiosk.site})
            if removed:
                db.execute(
                    t.deny.update()
                    .where(t.deny.c.site == kiosk.site, t.deny.c.deny_id.in_(list(removed)))
                    .values(removed_at=now)
                )

    # -- erasure and retention -----------------------------------------------------------------

    def erase(self, kiosk: KioskIdentity, receipt: str, visit_ids: Sequence[str]) -> dict[str, Any]:
        """Erase visits of the kiosk's site on a person's request; the receipt makes it
        idempotent and a tombstone stops a late replay from bringing a visit back."""
        now = self._clock()
        with self._engine.begin() as db:
            done = db.execute(
                sa.select(t.erasures.c.erased).where(t.erasures.c.receipt == receipt)
            ).first()
            if done is not None:
                return {"receipt": receipt, "erased": int(done.erased), "replayed": True}
            ids = [str(visit_id) for visit_id in visit_ids]
            erased = db.execute(
                t.visits.delete().where(t.visits.c.site == kiosk.site, t.visits.c.visit_id.in_(ids))
            ).rowcount
            db.execute(t.receipts.delete().where(t.receipts.c.visit_id.in_(ids)))
            until = to_db(now + self.max_retention)
            buried = set(
                db.execute(
                    sa.select(t.tombstones.c.visit_id).where(t.tombstones.c.visit_id.in_(ids))
                ).scalars()
            )
            new = [{"visit_id": i, "until": until} for i in dict.fromkeys(ids) if i not in buried]
            if new:
                db.execute(t.tombstones.insert(), new)
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
        counts = {
            "visits": self._purge_chunks(
                t.visits, t.visits.c.visit_id, t.visits.c.purge_after, moment
            ),
            "receipts": self._purge_chunks(
                t.receipts, t.receipts.c.idempotency_key, t.receipts.c.purge_after, moment
            ),
            "tombstones": self._purge_chunks(
                t.tombstones, t.tombstones.c.visit_id, t.tombstones.c.until, moment
            ),
            "erasures": self._purge_chunks(
                t.erasures, t.erasures.c.receipt, t.erasures.c.received_at, receipts_before
            ),
            "deny": self._purge_chunks(t.deny, t.deny.c.deny_id, t.deny.c.expires_at, moment),
        }
        with self._engine.begin() as db:
            counts["deny"] += db.execute(
                t.deny.delete().where(t.deny.c.removed_at.is_not(None))
            ).rowcount
        if any(counts.values()):
            self._reclaim_space()
        return counts

    def _purge_chunks(
        self, table: sa.Table, key: sa.Column[Any], due: sa.Column[Any], moment: str
    ) -> int:
        total = 0
        while True:
            with self._engine.begin() as db:
                keys = (
                    db.execute(sa.select(key).where(due <= moment).limit(PURGE_CHUNK))
                    .scalars()
                    .all()
                )
                if not keys:
                    return total
                total += db.execute(table.delete().where(key.in_(list(keys)))).rowcount

    def _reclaim_space(self) -> None:
        """Deleted rows must not linger: SQLite's WAL is checkpointed and truncated (pages were
        overwritten by secure_delete); PostgreSQL's dead tuples are vacuumed."""
        with self._engine.connect() as db:
            if db.dialect.name == "sqlite":  # outside any transaction, straight to the driver
                raw: Any = db.connection.dbapi_connection
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            else:
                autocommit = db.execution_options(isolation_level="AUTOCOMMIT")
                for table in ("visits", "receipts"):
                    autocommit.exec_driver_sql(f"VACUUM {table}")

    def health(self) -> dict[str, Any]:
        with self._engine.connect() as db:
            version = db.execute(sa.select(sa.func.max(t.schema_version.c.version))).scalar()
        return {"status": "ok", "schema": int(version or 0), "time": to_db(self._clock())}


def _body_hash(event: Mapping[str, Any]) -> str:
    body = {"event": event.get("event"), "record": event.get("record")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _checked_record(record: object, kiosk: KioskIdentity) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise RecordRejectedError("record must be an object")
    unknown = sorted(set(record) - set(SYNC_FIELDS))
    if unknown:
        raise RecordRejectedError(f"fields the hub does not take: {', '.join(unknown)}")
    visit_id = record.get("visit_id")
    if not isinstance(visit_id, str) or not 0 < len(visit_id) <= 64:
        raise RecordRejectedError("visit_id must be text of 1 to 64 characters")
    site = record.get("site")
    if site is not None and site != kiosk.site:
        raise RecordRejectedError("record names another site than this kiosk's")
    for name, value in record.items():
        if value is not None and not isinstance(value, str):
            raise RecordRejectedError(f"{name} must be text")
    return dict(record)


def _instant(record: Mapping[str, Any], name: str, required: bool) -> datetime | None:
    value = record.get(name)
    if value is None:
        if required:
            raise RecordRejectedError(f"{name} is required")
        return None
    try:
        return from_db(str(value))
    except ValueError:
        raise RecordRejectedError(
            f"{name} is not a UTC time like 2026-11-25T09:30:00.000000Z"
        ) from None


def _bounded(record: Mapping[str, Any], name: str, limit: int = 64) -> str | None:
    """A text field no longer than its column (ids and keys 64, names and emails 400)."""
    value = record.get(name)
    if value is not None and len(value) > limit:
        raise RecordRejectedError(f"{name} is longer than {limit} characters")
    return value if value is None else str(value)


class _ClashError(Exception):
    """What we read changed under us (another hub process was storing the same records)."""


class _Batch:
    """Decides a batch of events against what the hub holds, then writes it in bulk."""

    def __init__(
        self, hub: HubService, db: Connection, kiosk: KioskIdentity, now: datetime
    ) -> None:
        self.hub, self.db, self.kiosk, self.now = hub, db, kiosk, now
        self.new_visits: list[dict[str, Any]] = []
        self.new_receipts: list[dict[str, Any]] = []
        self.checkouts: list[tuple[str, str]] = []

    def run(self, events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        keys = [str(event.get("idempotency_key", ""))[:160] for event in events]
        ids = [
            str(event["record"].get("visit_id"))
            for event in events
            if isinstance(event.get("record"), dict)
        ]
        r, v = t.receipts.c, t.visits.c
        self.receipts = {
            row.idempotency_key: (row.body_hash, row.answer)
            for row in self.db.execute(
                sa.select(r.idempotency_key, r.body_hash, r.answer).where(
                    r.kiosk_id == self.kiosk.kiosk_id, r.idempotency_key.in_(keys)
                )
            )
        }
        self.tombstones = set(
            self.db.execute(
                sa.select(t.tombstones.c.visit_id).where(t.tombstones.c.visit_id.in_(ids))
            ).scalars()
        )
        self.visits: dict[str, tuple[str | None, str]] = {
            row.visit_id: (row.checked_out_at, row.purge_after)
            for row in self.db.execute(
                sa.select(v.visit_id, v.checked_out_at, v.purge_after).where(
                    v.visit_id.in_(ids), v.site == self.kiosk.site
                )
            )
        }
        answers = []
        for key, event in zip(keys, events, strict=True):
            try:
                answers.append(self._decide(key, event))
            except RecordRejectedError as error:
                answers.append({"idempotency_key": key, "status": "rejected", "reason": str(error)})
        self._write()
        return answers

    def _decide(self, key: str, event: Mapping[str, Any]) -> dict[str, Any]:
        body_hash = _body_hash(event)
        if key in self.receipts:
            first_hash, first_answer = self.receipts[key]
            if first_hash != body_hash:
                raise RecordRejectedError("idempotency key already used for a different record")
            return {**json.loads(first_answer), "replayed": True}
        if not key:
            raise RecordRejectedError("missing idempotency_key")
        kind = event.get("event")
        if kind not in EVENTS:
            raise RecordRejectedError(f"unknown event {kind!r} (expected checkin or checkout)")
        record = _checked_record(event.get("record"), self.kiosk)
        visit_id = record["visit_id"]
        if visit_id in self.tombstones:
            return {"idempotency_key": key, "status": "erased"}
        purge_after = self._check_in(record) if kind == "checkin" else self._check_out(record)
        if purge_after is None:  # already past its retention: not kept
            return {"idempotency_key": key, "status": "expired"}
        answer = {"idempotency_key": key, "status": "stored"}
        self.receipts[key] = (body_hash, json.dumps(answer))
        self.new_receipts.append(
            {
                "kiosk_id": self.kiosk.kiosk_id,
                "idempotency_key": key,
                "visit_id": visit_id,
                "body_hash": body_hash,
                "answer": json.dumps(answer),
                "purge_after": purge_after,
            }
        )
        return answer

    def _check_in(self, record: dict[str, Any]) -> str | None:
        if record["visit_id"] in self.visits:
            raise _ClashError  # stored by another process between two of our reads: look again
        checked_in = _instant(record, "checked_in_at", required=True)
        assert checked_in is not None
        latest = checked_in + self.hub.max_retention
        purge_after = min(_instant(record, "purge_after", required=False) or latest, latest)
        if purge_after <= self.now:
            return None
        out = _instant(record, "checked_out_at", required=False)
        row = {
            "visit_id": record["visit_id"],
            "site": self.kiosk.site,
            "kiosk_id": record.get("kiosk_id") or self.kiosk.kiosk_id,
            "host_id": _bounded(record, "host_id"),
            "purpose": _bounded(record, "purpose"),
            "checked_in_at": to_db(checked_in),
            "checked_out_at": to_db(out) if out else None,
            "checked_out_by": self.kiosk.kiosk_id if out else None,
            "notice_version": _bounded(record, "notice_version"),
            "purge_after": to_db(purge_after),
            "name": _bounded(record, "name", 400),
            "email": _bounded(record, "email", 400),
        }
        self.new_visits.append(row)
        self.visits[row["visit_id"]] = (row["checked_out_at"], row["purge_after"])
        return str(row["purge_after"])

    def _check_out(self, record: dict[str, Any]) -> str:
        visit_id = record["visit_id"]
        if visit_id not in self.visits:
            raise RecordRejectedError("no such visit at this site (check-in not received yet)")
        checked_out, purge_after = self.visits[visit_id]
        if checked_out is None:  # the first check-out wins; a later one changes nothing
            out = _instant(record, "checked_out_at", required=True)
            assert out is not None
            self.checkouts.append((visit_id, to_db(out)))
            self.visits[visit_id] = (to_db(out), purge_after)
        return purge_after

    def _write(self) -> None:
        if self.new_visits:
            self.db.execute(t.visits.insert(), self.new_visits)
        if self.checkouts:
            counter = t.counter.c
            self.db.execute(
                t.counter.update()
                .where(counter.name == "checkout")
                .values(value=counter.value + len(self.checkouts))
            )
            last = self.db.execute(
                sa.select(counter.value).where(counter.name == "checkout")
            ).scalar_one()
            v = t.visits.c
            self.db.execute(
                t.visits.update()
                .where(v.visit_id == sa.bindparam("b_visit"))
                .values(
                    checked_out_at=sa.bindparam("b_out"),
                    checked_out_by=self.kiosk.kiosk_id,
                    checked_out_seq=sa.bindparam("b_seq"),
                ),
                [
                    {"b_visit": visit_id, "b_out": out, "b_seq": last - len(self.checkouts) + n + 1}
                    for n, (visit_id, out) in enumerate(self.checkouts)
                ],
            )
        if self.new_receipts:
            self.db.execute(t.receipts.insert(), self.new_receipts)
