"""Console sessions: a random token in an HttpOnly cookie, its hash and a form token in the
database, so several hub processes share them. A session ends after 30 minutes without use or 12
hours in all, whichever comes first, and at logout; removing a user ends theirs."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kiosk.hub import schema as t
from kiosk.hub.accounts import User, user_from_row
from kiosk.records import record
from kiosk.wire import Clock, from_db, to_db

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)


@record
class Session:
    user: User
    csrf: str  # the token every form of this session carries
    verified: bool = True  # False until an admin or privacy user gave their second factor
    pending_secret: str = ""  # the authenticator secret being enrolled, if any

    def csrf_ok(self, offered: str) -> bool:
        return hmac.compare_digest(self.csrf, offered)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Sessions:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def start(self, login: str, verified: bool = True) -> str:
        """A new session for ``login``; returns the cookie's token (shown only this once).
        ``verified=False``: the password was right, the second factor is still to come."""
        token = secrets.token_urlsafe(32)
        now = to_db(self._clock())
        row = {
            "token_hash": _hash(token),
            "login": login,
            "csrf": secrets.token_urlsafe(32),
            "created_at": now,
            "seen_at": now,
            "verified": verified,
        }
        with self._engine.begin() as db:
            db.execute(t.console_sessions.insert(), row)
        return token

    def find(self, token: str) -> Session | None:
        """The live session behind a cookie (its idle clock starts again), or None. It may
        still wait for its second factor (``verified``): callers decide what that allows."""
        if not token:
            return None
        now = self._clock()
        s, u = t.console_sessions.c, t.users.c
        with self._engine.begin() as db:
            row = db.execute(
                sa.select(
                    s.created_at,
                    s.seen_at,
                    s.csrf,
                    s.verified,
                    s.pending_secret,
                    u.login,
                    u.site,
                    u.role,
                    u.host_id,
                )
                .join_from(t.console_sessions, t.users, s.login == u.login)
                .where(s.token_hash == _hash(token))
            ).first()
            if row is None:
                return None
            expired = now - from_db(row.seen_at) > IDLE or now - from_db(row.created_at) > ABSOLUTE
            if expired:
                db.execute(t.console_sessions.delete().where(s.token_hash == _hash(token)))
                return None
            db.execute(
                t.console_sessions.update()
                .where(s.token_hash == _hash(token))
                .values(seen_at=to_db(now))
            )
        return Session(
            user_from_row(row._mapping), row.csrf, bool(row.verified), row.pending_secret or ""
        )

    def set_pending_secret(self, token: str, secret: str) -> None:
        self._update(token, pending_secret=secret)

    def verify(self, token: str) -> None:
        """The second factor was given: the session may do what the user's role allows."""
        self._update(token, verified=True, pending_secret=None)

    def _update(self, token: str, **values: object) -> None:
        sessions = t.console_sessions
        with self._engine.begin() as db:
            db.execute(
                sessions.update().where(sessions.c.token_hash == _hash(token)).values(**values)
            )

    def end_expired(self, at: datetime) -> int:
        """Sessions no one ended that ran out by ``at`` (a phone put away without signing out):
        otherwise their rows, and any second-factor secret being enrolled, stayed for good."""
        s = t.console_sessions.c
        idle_since, started_before = to_db(at - IDLE), to_db(at - ABSOLUTE)
        with self._engine.begin() as db:
            gone = db.execute(
                t.console_sessions.delete().where(
                    (s.seen_at < idle_since) | (s.created_at < started_before)
                )
            )
            return int(gone.rowcount)

    def end(self, token: str) -> None:
        with self._engine.begin() as db:
            db.execute(
                t.console_sessions.delete().where(t.console_sessions.c.token_hash == _hash(token))
            )
