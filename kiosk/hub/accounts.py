"""Console accounts: who may sign in to the hub's web console, for which site, in which role.

Passwords are hashed with argon2id (argon2-cffi's defaults: 64 MiB, 3 passes), at least 12
characters, and refused when a list of leaked passwords starts with them. Wrong passwords lock
the account with growing delays (30 s after the fifth in a row, doubling up to an hour), counted
in the database before the password is checked, so a restart gives an attacker no fresh tries and
parallel guesses cannot all read "not locked". A user belongs to one site and sees only it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from kiosk.hub import schema as t
from kiosk.records import record
from kiosk.wire import Clock, from_db, lock_after, to_db

ROLES = ("admin", "frontdesk", "host", "privacy")
MIN_PASSWORD = 12
LOGIN = re.compile(r"[a-z0-9][a-z0-9_.@-]{1,63}")
_TRAILING = re.compile(r"[\d\W_]+$")


class AccountError(ValueError):
    """A login, role or password that cannot be used; worded for the administrator."""


@record
class User:
    login: str
    site: str
    role: str
    host_id: str = ""


@record
class LoginCheck:
    user: User | None
    wait_seconds: int = 0  # > 0: locked, try again after this

    @property
    def ok(self) -> bool:
        return self.user is not None


@cache
def _common_passwords() -> frozenset[str]:
    """Shipped beside this module (the hub reads nothing of the kiosk's assets)."""
    text = Path(__file__).with_name("common-passwords.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, login: str = "", site: str = "") -> str:
    """Why ``password`` will not do, or "" when it will."""
    if len(password) < MIN_PASSWORD:
        return f"a password needs at least {MIN_PASSWORD} characters"
    lowered = password.casefold()
    stem = _TRAILING.sub("", lowered)
    common = _common_passwords()
    if lowered in common or stem in common or len(set(lowered)) <= 2:
        return "that password is among the most common ones; choose another"
    for word in (login, site):
        if len(word) >= 4 and word.casefold() in lowered:
            return "a password must not contain the login or the site's name"
    return ""


@cache
def _unknown_login_hash(
    time_cost: int, memory_cost: int, parallelism: int, hash_len: int, salt_len: int, kind: Type
) -> str:
    """What an unknown login's password is checked against, so that it takes as long as a
    known one's: made once per process for each cost (0.15 s with argon2-cffi's defaults), not
    once per ``Accounts``. A hub has two (its console and its administration pages), and each
    paid for it on start-up."""
    hasher = PasswordHasher(time_cost, memory_cost, parallelism, hash_len, salt_len, type=kind)
    return hasher.hash("a password nobody has, for unknown logins")


def _unknown_login_hash_for(hasher: PasswordHasher) -> str:
    """``_unknown_login_hash`` for ``hasher``'s costs (checked with them, it costs the same)."""
    return _unknown_login_hash(
        hasher.time_cost,
        hasher.memory_cost,
        hasher.parallelism,
        hasher.hash_len,
        hasher.salt_len,
        hasher.type,
    )


class Accounts:
    """Console users over the hub's database; one instance per hub process is fine (no state
    outside the database, so several processes on one PostgreSQL agree)."""

    def __init__(self, engine: Engine, clock: Clock, hasher: PasswordHasher | None = None) -> None:
        self._engine = engine
        self._clock = clock
        self._hasher = hasher or PasswordHasher()
        self._dummy = _unknown_login_hash_for(self._hasher)

    def add(self, login: str, site: str, role: str, password: str, host_id: str = "") -> User:
        login = login.strip().casefold()
        if not LOGIN.fullmatch(login):
            raise AccountError(
                "a login is 2 to 64 of a-z 0-9 _ . @ - (starting with a letter or digit)"
            )
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        if role == "host" and not host_id:
            raise AccountError("a host account needs --host-id (whose guests it sees)")
        if not site:
            raise AccountError("a user belongs to one site: give --site")
        problem = password_problem(password, login, site)
        if problem:
            raise AccountError(problem)
        now = to_db(self._clock())
        row = {
            "login": login,
            "site": site,
            "role": role,
            "host_id": host_id or None,
            "password_hash": self._hasher.hash(password),
            "created_at": now,
            "password_changed_at": now,
            "failures": 0,
            "locked_until": None,
        }
        with self._engine.begin() as db:
            if db.execute(sa.select(t.users.c.login).where(t.users.c.login == login)).first():
                raise AccountError(f"there is already a user {login!r}")
            db.execute(t.users.insert(), row)
        return User(login, site, role, host_id)

    def users(self, site: str = "") -> list[User]:
        query = sa.select(t.users).order_by(t.users.c.site, t.users.c.login)
        if site:
            query = query.where(t.users.c.site == site)
        with self._engine.connect() as db:
            return [user_from_row(row._mapping) for row in db.execute(query)]

    def remove(self, login: str) -> bool:
        """Delete the account and end its console sessions."""
        with self._engine.begin() as db:
            sessions = t.console_sessions
            db.execute(sessions.delete().where(sessions.c.login == login))
            return bool(db.execute(t.users.delete().where(t.users.c.login == login)).rowcount)

    def reset_password(self, login: str, password: str) -> None:
        """A new password; the lockout is lifted (an administrator vouched for the person)."""
        user = self._find(login)
        if user is None:
            raise AccountError(f"no user {login!r}")
        problem = password_problem(password, user.login, user.site)
        if problem:
            raise AccountError(problem)
        values = {
            "password_hash": self._hasher.hash(password),
            "password_changed_at": to_db(self._clock()),
            "failures": 0,
            "locked_until": None,
        }
        with self._engine.begin() as db:
            db.execute(t.users.update().where(t.users.c.login == user.login).values(**values))

    def check_login(self, login: str, password: str) -> LoginCheck:
        """The attempt is counted (and the lock it would cause set) before the password is
        checked: one UPDATE that only an unlocked account matches, so parallel guesses queue on
        the row and none of them reads a stale count. An unknown login costs the same hashing
        time as a known one."""
        login = login.strip().casefold()
        now = self._clock()
        u = t.users.c
        with self._engine.begin() as db:
            counted = db.execute(
                t.users.update()
                .where(u.login == login)
                .where(sa.or_(u.locked_until.is_(None), u.locked_until <= to_db(now)))
                .values(failures=u.failures + 1)
                .returning(u.failures, u.password_hash, u.login, u.site, u.role, u.host_id)
            ).first()
            if counted is not None:
                lock = lock_after(int(counted.failures), now)
                if lock is not None:
                    db.execute(
                        t.users.update().where(u.login == login).values(locked_until=to_db(lock))
                    )
            else:
                locked = db.execute(sa.select(u.locked_until).where(u.login == login)).first()
        if counted is None:
            if locked is None:  # no such user
                self._verify(self._dummy, password)
                return LoginCheck(None)
            wait = from_db(str(locked.locked_until)) - now
            return LoginCheck(None, int(wait.total_seconds()) + 1)
        if not self._verify(counted.password_hash, password):
            return LoginCheck(None, int((lock - now).total_seconds()) if lock else 0)
        with self._engine.begin() as db:
            db.execute(
                t.users.update().where(u.login == login).values(failures=0, locked_until=None)
            )
        return LoginCheck(user_from_row(counted._mapping))

    def totp(self, login: str) -> tuple[str, int]:
        """The user's authenticator secret ("" if not enrolled) and the last step used."""
        with self._engine.connect() as db:
            row = db.execute(
                sa.select(t.users.c.totp_secret, t.users.c.totp_last_step).where(
                    t.users.c.login == login
                )
            ).first()
        return (row.totp_secret or "", int(row.totp_last_step)) if row else ("", 0)

    def use_totp_step(self, login: str, step: int, enrol_secret: str = "") -> bool:
        """Record that a code of ``step`` was used (enrolling ``enrol_secret`` with it); False if
        that step or a later one was used already, so a code works once."""
        u = t.users.c
        values: dict[str, Any] = {"totp_last_step": step}
        if enrol_secret:
            values["totp_secret"] = enrol_secret
        with self._engine.begin() as db:
            done = db.execute(
                t.users.update().where(u.login == login, u.totp_last_step < step).values(**values)
            ).rowcount
        return bool(done)

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(stored, password))
        except (VerificationError, InvalidHashError):
            return False

    def _find(self, login: str) -> User | None:
        with self._engine.connect() as db:
            row = db.execute(sa.select(t.users).where(t.users.c.login == login.casefold())).first()
        return user_from_row(row._mapping) if row else None


def user_from_row(row: Any) -> User:
    """A user from a row that has login, site, role and host_id."""
    return User(row["login"], row["site"], row["role"], row["host_id"] or "")
