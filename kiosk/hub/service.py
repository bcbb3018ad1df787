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
from kiosk.hub import schema as t
from kiosk.models import Host
from kiosk.timeutil import Clock, from_db, to_db

EVENTS = ("checkin", "checkout")
PURGE_CHUNK = 500
ERASURE_RECEIPT_DAYS = 365  # the receipt (no personal data) proves a request was honoured
TOKEN_PREFIX = "lkh_"  # noqa: S105 (a prefix that makes leaked keys easy to find, not a secret)
DENY_FIELDS = (
    "deny_id",
    "key_id",
    "name_hash",
    "name_tokens_hash",
    "email_hash",
    "email_local_hash",
    "reason",
    "created_at",
    "expires_at",
    "created_by",
)


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
        """One answer per event, in order, all in one transaction with a savepoint per event: a
        rejected record changes nothing, the rest of the batch is kept."""
        now = self._clock()
        with self._engine.begin() as db:
            return [self._ingest_one(db, kiosk, event, now) for event in events]

    def _ingest_one(
        self, db: Connection, kiosk: KioskIdentity, event: Mapping[str, Any], now: datetime
    ) -> dict[str, Any]:
        key = str(event.get("idempotency_key", ""))[:160]
        body_hash = _body_hash(event)
        try:
            with db.begin_nested():
                replay = self._replay(db, kiosk, key, body_hash)
                if replay is not None:
                    return replay
                answer = self._apply(db, kiosk, event, now)
                if answer["status"] == "stored":
                    db.execute(
                        t.receipts.insert(),
                        {
                            "idempotency_key": key,
                            "kiosk_id": kiosk.kiosk_id,
                            "visit_id": answer.pop("_visit_id"),
                            "body_hash": body_hash,
                            "answer": json.dumps(answer),
                            "purge_after": answer.pop("_purge_after"),
                        },
                    )
                return {k: v for k, v in answer.items() if not k.startswith("_")}
        except RecordRejectedError as error:
            return {"idempotency_key": key, "status": "rejected", "reason": str(error)}
        except IntegrityError:
            # Another hub process stored the same key (or visit) a moment ago: answer as a replay.
            try:
                replay = self._replay(db, kiosk, key, body_hash)
            except RecordRejectedError as error:
                return {"idempotency_key": key, "status": "rejected", "reason": str(error)}
            if replay is not None:
                return replay
            reason = "conflicts with a visit the hub already holds"
            return {"idempotency_key": key, "status": "rejected", "reason": reason}

    def _replay(
        self, db: Connection, kiosk: KioskIdentity, key: str, body_hash: str
    ) -> dict[str, Any] | None:
        row = db.execute(
            sa.select(t.receipts.c.body_hash, t.receipts.c.answer).where(
                t.receipts.c.kiosk_id == kiosk.kiosk_id, t.receipts.c.idempotency_key == key
            )
        ).first()
        if row is None:
            return None
        if row.body_hash != body_hash:
            raise RecordRejectedError("idempotency key already used for a different record")
        first: dict[str, Any] = json.loads(row.answer)
        return {**first, "replayed": True}

    def _apply(
        self, db: Connection, kiosk: KioskIdentity, event: Mapping[str, Any], now: datetime
    ) -> dict[str, Any]:
        key = str(event.get("idempotency_key", ""))
        if not key:
            raise RecordRejectedError("missing idempotency_key")
        kind = event.get("event")
        if kind not in EVENTS:
            raise RecordRejectedError(f"unknown event {kind!r} (expected checkin or checkout)")
        record = _checked_record(event.get("record"), kiosk)
        visit_id = record["visit_id"]
        if db.execute(
            sa.select(t.tombstones.c.visit_id).where(t.tombstones.c.visit_id == visit_id)
        ).first():
            return {"idempotency_key": key, "status": "erased"}
        if kind == "checkin":
            purge_after = self._store_visit(db, kiosk, record, now)
        else:
            purge_after = self._check_out(db, kiosk, record)
        if purge_after is None:  # already past its retention: not kept, nothing to answer for
            return {"idempotency_key": key, "status": "expired"}
        return {
            "idempotency_key": key,
            "status": "stored",
            "_visit_id": visit_id,
            "_purge_after": purge_after,
        }

    def _store_visit(
        self, db: Connection, kiosk: KioskIdentity, record: dict[str, Any], now: datetime
    ) -> str | None:
        checked_in = _instant(record, "checked_in_at", required=True)
        assert checked_in is not None
        latest = checked_in + self.max_retention
        asked = _instant(record, "purge_after", required=False) or latest
        purge_after = min(asked, latest)
        if purge_after <= now:
            return None
        checked_out = _instant(record, "checked_out_at", required=False)
        db.execute(
            t.visits.insert(),
            {
                "visit_id": record["visit_id"],
                "site": kiosk.site,
                "kiosk_id": record.get("kiosk_id") or kiosk.kiosk_id,
                "host_id": _short(record, "host_id"),
                "purpose": _short(record, "purpose"),
                "checked_in_at": to_db(checked_in),
                "checked_out_at": to_db(checked_out) if checked_out else None,
                "checked_out_by": kiosk.kiosk_id if checked_out else None,
                "notice_version": _short(record, "notice_version"),
                "purge_after": to_db(purge_after),
                "name": _text(record, "name"),
                "email": _text(record, "email"),
            },
        )
        return to_db(purge_after)

    def _check_out(self, db: Connection, kiosk: KioskIdentity, record: dict[str, Any]) -> str:
        visit = db.execute(
            sa.select(t.visits.c.checked_out_at, t.visits.c.purge_after).where(
                t.visits.c.visit_id == record["visit_id"], t.visits.c.site == kiosk.site
            )
        ).first()
        if visit is None:
            raise RecordRejectedError("no such visit at this site (check-in not received yet)")
        if visit.checked_out_at is None:  # the first check-out wins; a second one is a no-op
            out = _instant(record, "checked_out_at", required=True)
            assert out is not None
            db.execute(
                t.counter.update()
                .where(t.counter.c.name == "checkout")
                .values(value=t.counter.c.value + 1)
            )
            seq = db.execute(
                sa.select(t.counter.c.value).where(t.counter.c.name == "checkout")
            ).scalar_one()
            db.execute(
                t.visits.update().where(t.visits.c.visit_id == record["visit_id"]),
                {
                    "checked_out_at": to_db(out),
                    "checked_out_by": kiosk.kiosk_id,
                    "checked_out_seq": seq,
                },
            )
        return str(visit.purge_after)

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
            for visit_id in ids:
                if not db.execute(
                    sa.select(t.tombstones.c.visit_id).where(t.tombstones.c.visit_id == visit_id)
                ).first():
                    db.execute(t.tombstones.insert(), {"visit_id": visit_id, "until": until})
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
        moment = to_db(now or self._clock())
        receipts_before = to_db((now or self._clock()) - timedelta(days=ERASURE_RECEIPT_DAYS))
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


def _short(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is not None and len(value) > 64:
        raise RecordRejectedError(f"{name} is longer than 64 characters")
    return value if value is None else str(value)


def _text(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is not None and len(value) > 400:
        raise RecordRejectedError(f"{name} is longer than 400 characters")
    return value if value is None else str(value)
