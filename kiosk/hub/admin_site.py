"""What the console's administrator changes for their site: kiosks (enrol, revoke), users and
their roles, and the deny list (hashes only, under the site's deny key). Each change is written
to the hub's audit trail in the same transaction; ``AdminError`` says in words why not."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from kiosk.hub import schema as t
from kiosk.hub.accounts import ROLES, AccountError, Accounts
from kiosk.hub.audit_trail import audit
from kiosk.hub.enrolment import new_enrolment
from kiosk.hub.schema_audit import console_audit
from kiosk.hub.service import HubService
from kiosk.hub.site_keys import DENY, site_secret
from kiosk.wire import deny_hashes, deny_key_id, deny_normalise, normalise_text, to_db

KIOSK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_DENY_DAYS = 3650


class AdminError(ValueError):
    """A change the hub refuses; the key names the console's words for it."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class SiteAdmin:
    def __init__(self, service: HubService) -> None:
        self._service = service
        self._engine = service.engine
        self._clock = service.clock
        self.accounts = Accounts(service.engine, service.clock)

    def _audit(self, site: str, by: str, action: str, record: str, detail: str = "") -> None:
        with self._engine.begin() as db:
            audit(db, to_db(self._clock()), site, by, action, record, detail)

    # -- kiosks ------------------------------------------------------------------------------

    def enrol_kiosk(self, site: str, kiosk_id: str, by: str) -> str:
        """A one-time enrolment code for a new (or re-enrolled) kiosk of the site."""
        kiosk_id = kiosk_id.strip()
        if not KIOSK_ID.fullmatch(kiosk_id):
            raise AdminError("admin_bad_kiosk_id")
        k = t.kiosks.c
        with self._engine.connect() as db:
            owner = db.execute(sa.select(k.site).where(k.kiosk_id == kiosk_id)).scalar()
        if owner is not None and owner != site:  # another site's kiosk: never taken over
            raise AdminError("admin_kiosk_taken")
        code = new_enrolment(self._engine, self._clock, kiosk_id, site)
        self._audit(site, by, "kiosk_enrol", kiosk_id, "code valid 24 h")
        return code

    def revoke_kiosk(self, site: str, kiosk_id: str, by: str) -> bool:
        k = t.kiosks.c
        with self._engine.begin() as db:
            done = db.execute(
                t.kiosks.update()
                .where(k.kiosk_id == kiosk_id, k.site == site, k.revoked_at.is_(None))
                .values(revoked_at=to_db(self._clock()))
            ).rowcount
            if done:
                audit(db, to_db(self._clock()), site, by, "kiosk_revoke", kiosk_id, "")
        return bool(done)

    # -- users -------------------------------------------------------------------------------

    def _check_host(self, site: str, role: str, host_id: str) -> None:
        """A host account sees one host's guests: that host must be in the site's directory."""
        if role == "host" and host_id not in self._service.host_names(site):
            raise AdminError("admin_no_host")

    def add_user(
        self, site: str, login: str, role: str, password: str, host_id: str, by: str
    ) -> None:
        self._check_host(site, role, host_id)
        try:
            user = self.accounts.add(login, site, role, password, host_id if role == "host" else "")
        except AccountError as error:
            raise AdminError(str(error)) from None
        self._audit(site, by, "user_add", user.login, f"role={role}")

    def set_role(self, site: str, login: str, role: str, host_id: str, by: str) -> None:
        if role not in ROLES or (role == "host" and not host_id):
            raise AdminError("admin_bad_role")
        if login == by:
            raise AdminError("admin_not_yourself")
        self._check_host(site, role, host_id)
        u = t.users.c
        with self._engine.begin() as db:
            changed = db.execute(
                t.users.update()
                .where(u.login == login, u.site == site)
                .values(role=role, host_id=host_id if role == "host" else None, totp_secret=None)
            ).rowcount
            if not changed:
                raise AdminError("admin_no_user")
            sessions = t.console_sessions.c
            db.execute(t.console_sessions.delete().where(sessions.login == login))
            audit(db, to_db(self._clock()), site, by, "user_role", login, f"role={role}")

    def remove_user(self, site: str, login: str, by: str) -> None:
        if login == by:
            raise AdminError("admin_not_yourself")
        if all(user.login != login for user in self.accounts.users(site)):
            raise AdminError("admin_no_user")
        self.accounts.remove(login)
        self._audit(site, by, "user_remove", login)

    # -- deny list ---------------------------------------------------------------------------

    def deny_entries(self, site: str) -> list[dict[str, Any]]:
        return self._service.deny_entries(site)

    def add_deny(
        self, site: str, name: str, email: str, reason: str, days: int | None, by: str
    ) -> str:
        """Only keyed hashes are stored (the name and address are forgotten on return); the
        site's kiosks take the entry on their next sync."""
        if not deny_normalise(name) and not deny_normalise(email):
            raise AdminError("admin_deny_needs_name")
        if days is not None and not 1 <= days <= MAX_DENY_DAYS:
            raise AdminError("admin_deny_bad_days")
        key = site_secret(self._engine, self._clock, site, DENY)
        now = self._clock()
        deny_id = uuid.uuid4().hex[:10]
        why = normalise_text(reason)[:200] or "-"
        row = {
            **deny_hashes(key, name, email),
            "site": site,
            "deny_id": deny_id,
            "key_id": deny_key_id(key),
            "reason": why,
            "created_at": to_db(now),
            "expires_at": to_db(now + timedelta(days=days)) if days else None,
            "created_by": f"console:{by}"[:64],
        }
        with self._engine.begin() as db:
            db.execute(t.deny.insert(), row)
            # Its term, not the reason: staff's words about a person go with the entry, and the
            # trail is kept for good (it held every reason after its entry was gone).
            term = f"days={days}" if days else "until removed"
            audit(db, to_db(now), site, by, "deny_add", deny_id, term)
        return deny_id

    def remove_deny(self, site: str, deny_id: str, by: str) -> bool:
        d = t.deny.c
        now = to_db(self._clock())
        with self._engine.begin() as db:
            done = db.execute(
                t.deny.update()
                .where(d.site == site, d.deny_id == deny_id, d.removed_at.is_(None))
                .values(removed_at=now)
            ).rowcount
            if done:
                audit(db, now, site, by, "deny_remove", deny_id, "")
        return bool(done)

    # -- audit trail -------------------------------------------------------------------------

    def audit_entries(self, site: str, limit: int = 200) -> list[dict[str, Any]]:
        a = console_audit.c
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(a.id, a.at, a.login, a.action, a.record, a.detail)
                .where(a.site == site)
                .order_by(a.id.desc())
                .limit(limit)
            ).all()
        return [dict(row._mapping) for row in rows]
