"""Invitations made in the console: a host expects a guest on a day and in a time window. The
guest gets an email (``kiosk.hub.invitation_mail``); the kiosks of the site fetch the invitation on
their next sync (``GET /v1/invitations``), so the code works at any of them. An invitation holds a
name and an email, so the hub's purge deletes it when its window has ended; a cancelled one is
withdrawn from the kiosks."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kiosk.hub import schema as t
from kiosk.hub.audit_trail import audit
from kiosk.records import record
from kiosk.wire import Clock, day_span, from_db, new_invitation_code, normalise_text, to_db

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
LANGUAGES = ("zh-TW", "en")


class InvitationProblem(ValueError):
    """Why an invitation cannot be made; ``key`` names the console's words for it."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@record
class HubInvitation:
    code: str
    site: str
    host_id: str
    name: str
    email: str
    language: str
    starts_at: datetime
    ends_at: datetime
    cancelled: bool = False
    mail_error: str = ""


class HubInvitations:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def create(
        self,
        site: str,
        host_id: str,
        name: str,
        email: str,
        window: tuple[date, time, time],
        language: str,
        login: str,
        zone: tzinfo,
    ) -> HubInvitation:
        # The name as a kiosk keeps a guest's (it shows it and prefills the check-in with it):
        # a zero-width space or direction mark pasted from a mail is not part of it.
        name, email = normalise_text(name)[:100], email.strip()[:254]
        day, start, end = window
        starts = datetime.combine(day, start, zone)
        ends = datetime.combine(day, end, zone)
        now = self._clock()
        if not name:
            raise InvitationProblem("invite_need_name")
        if not EMAIL.fullmatch(email):
            raise InvitationProblem("invite_bad_email")
        if ends <= starts or ends <= now or starts - now > timedelta(days=366):
            raise InvitationProblem("invite_bad_window")
        invitation = HubInvitation(
            new_invitation_code(),
            site,
            host_id,
            name,
            email,
            language if language in LANGUAGES else LANGUAGES[0],
            starts,
            ends,
        )
        with self._engine.begin() as db:
            db.execute(
                t.invitations.insert(),
                {
                    "code": invitation.code,
                    "site": site,
                    "host_id": host_id,
                    "name": name,
                    "email": email,
                    "language": invitation.language,
                    "starts_at": to_db(starts),
                    "ends_at": to_db(ends),
                    "created_by": login,
                    "created_at": to_db(now),
                },
            )
            audit(db, to_db(now), site, login, "invited", invitation.code, f"host {host_id}")
        return invitation

    def note_mail(self, code: str, error: str) -> None:
        with self._engine.begin() as db:
            db.execute(
                t.invitations.update()
                .where(t.invitations.c.code == code)
                .values(mail_error=error or None)
            )

    def for_host(self, site: str, host_id: str, day: date, zone: tzinfo) -> list[HubInvitation]:
        """The host's invitations on ``day`` (site time), cancelled ones too, earliest first."""
        i = t.invitations.c
        first, last = day_span(day, zone)
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(t.invitations)
                .where(i.site == site, i.host_id == host_id)
                .where(i.starts_at >= first, i.starts_at < last)
                .order_by(i.starts_at)
            ).all()
        return [_invitation(row._mapping) for row in rows]

    def for_site(self, site: str, day: date, zone: tzinfo) -> list[HubInvitation]:
        """Everyone expected at ``site`` on ``day`` (site time), for the front desk."""
        i = t.invitations.c
        first, last = day_span(day, zone)
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(t.invitations)
                .where(i.site == site, i.cancelled_at.is_(None))
                .where(i.starts_at >= first, i.starts_at < last)
                .order_by(i.starts_at)
            ).all()
        return [_invitation(row._mapping) for row in rows]

    def cancel(self, site: str, host_id: str, code: str, login: str) -> bool:
        i = t.invitations.c
        now = to_db(self._clock())
        with self._engine.begin() as db:
            done = db.execute(
                t.invitations.update()
                .where(i.code == code, i.site == site, i.host_id == host_id)
                .where(i.cancelled_at.is_(None))
                .values(cancelled_at=now)
            ).rowcount
            if done:
                audit(db, now, site, login, "invitation cancelled", code, f"host {host_id}")
        return bool(done)

    def for_kiosks(self, site: str) -> list[dict[str, Any]]:
        """What a kiosk of ``site`` needs: every invitation whose window has not ended."""
        i = t.invitations.c
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(
                    i.code, i.host_id, i.name, i.email, i.starts_at, i.ends_at, i.cancelled_at
                ).where(i.site == site, i.ends_at > to_db(self._clock()))
            ).all()
        return [
            {
                "code": row.code,
                "host_id": row.host_id,
                "name": row.name,
                "email": row.email,
                "starts_at": row.starts_at,
                "ends_at": row.ends_at,
                "cancelled": row.cancelled_at is not None,
            }
            for row in rows
        ]


def _invitation(row: Any) -> HubInvitation:
    return HubInvitation(
        row["code"],
        row["site"],
        row["host_id"],
        row["name"],
        row["email"],
        row["language"],
        from_db(row["starts_at"]),
        from_db(row["ends_at"]),
        row["cancelled_at"] is not None,
        row["mail_error"] or "",
    )
