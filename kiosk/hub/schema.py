"""The hub's tables and its numbered migrations, one code path for SQLite and PostgreSQL.

Migrations are a list of functions applied in order, each in its own transaction, recorded in
``hub_schema``. We chose this over Alembic because the schema is small and ships inside the
package: no migration scripts directory or ini file to install, and the same list runs from
``kiosk hub migrate`` and at ``kiosk hub serve`` start. On PostgreSQL an advisory lock makes
several hub processes starting at once apply each migration exactly once.

Times are stored as fixed-width UTC text (as on the kiosk), so comparisons are the same on both
databases and need no time-zone support from the driver.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from kiosk.hub.directory_tags import m007_host_directory_tags
from kiosk.hub.schema_audit import console_audit, m008_audit_marks
from kiosk.hub.schema_meta import metadata
from kiosk.hub.schema_site import m004_site_wide

__all__ = ["metadata"]

kiosks = sa.Table(
    "kiosks",
    metadata,
    sa.Column("kiosk_id", sa.String(64), primary_key=True),
    sa.Column("site", sa.String(64), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.String(27), nullable=False),
    sa.Column("revoked_at", sa.String(27)),
)


def _where(condition: str) -> dict[str, Any]:
    """A partial index's condition, in the words of both databases."""
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


# One row per visit, in the minimal form the kiosks chose to send. name/email stay NULL unless
# the site sends them.
# A visit is known by its site and id: ids are printed on badges, so another site may know one and
# must never be able to pre-empt, shadow or touch it.
visits = sa.Table(
    "visits",
    metadata,
    sa.Column("site", sa.String(64), primary_key=True),
    sa.Column("visit_id", sa.String(64), primary_key=True),
    sa.Column("kiosk_id", sa.String(64), nullable=False),
    sa.Column("host_id", sa.String(64)),
    sa.Column("purpose", sa.String(64)),
    sa.Column("checked_in_at", sa.String(27), nullable=False),
    sa.Column("checked_out_at", sa.String(27)),
    sa.Column("checked_out_by", sa.String(64)),
    sa.Column("checked_out_seq", sa.BigInteger),
    sa.Column("notice_version", sa.String(64)),
    sa.Column("purge_after", sa.String(27), nullable=False),
    sa.Column("name", sa.Text),
    sa.Column("email", sa.Text),
    # Partial: a visit checked out (as every expired one is) is in neither, so retention
    # deletes it from three b-trees, not four or five (migration 6).
    sa.Index("visits_on_site_now", "site", "checked_in_at", **_where("checked_out_at IS NULL")),
    sa.Index(
        "visits_out_elsewhere",
        "site",
        "kiosk_id",
        "checked_out_seq",
        **_where("checked_out_by <> kiosk_id"),
    ),
    sa.Index("visits_purge", "purge_after"),
)

# The first answer to each idempotency key (keys are per kiosk, like any client's) and a hash of
# the body it answered, so a replay gets the same answer and a different body under a used key is
# refused. Deleted with the visit.
receipts = sa.Table(
    "receipts",
    metadata,
    sa.Column("kiosk_id", sa.String(64), primary_key=True),
    sa.Column("idempotency_key", sa.String(160), primary_key=True),
    sa.Column("visit_id", sa.String(64), nullable=False),
    sa.Column("body_hash", sa.String(64), nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("purge_after", sa.String(27), nullable=False),
    sa.Index("receipts_visit", "visit_id"),
    sa.Index("receipts_purge", "purge_after"),
)

# Visits erased on request: only the id and until when to refuse a late replay of it.
tombstones = sa.Table(
    "tombstones",
    metadata,
    sa.Column("site", sa.String(64), primary_key=True),
    sa.Column("visit_id", sa.String(64), primary_key=True),
    sa.Column("until", sa.String(27), nullable=False),
)

erasures = sa.Table(
    "erasures",
    metadata,
    sa.Column("receipt", sa.String(64), primary_key=True),
    sa.Column("kiosk_id", sa.String(64), nullable=False),
    sa.Column("received_at", sa.String(27), nullable=False),
    sa.Column("erased", sa.Integer, nullable=False),
)

hosts = sa.Table(
    "hosts",
    metadata,
    sa.Column("site", sa.String(64), primary_key=True),
    sa.Column("host_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("department", sa.Text, nullable=False, server_default=""),
    sa.Column("email", sa.Text, nullable=False, server_default=""),
    sa.Column("notify", sa.Text, nullable=False, server_default="[]"),
    sa.Column("language", sa.String(16), nullable=False, server_default=""),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("company_id", sa.String(64), nullable=False, server_default=""),
)

# Deny entries exactly as a kiosk made them: keyed hashes (the site's shared deny key; key_id
# tells which key), never a name or email.
deny = sa.Table(
    "deny",
    metadata,
    sa.Column("site", sa.String(64), primary_key=True),
    sa.Column("deny_id", sa.String(32), primary_key=True),
    sa.Column("key_id", sa.String(16), nullable=False),
    sa.Column("name_hash", sa.String(64)),
    sa.Column("name_tokens_hash", sa.String(64)),
    sa.Column("email_hash", sa.String(64)),
    sa.Column("email_local_hash", sa.String(64)),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(27), nullable=False),
    sa.Column("expires_at", sa.String(27)),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("removed_at", sa.String(27)),
)

# A hub-wide counter for "changes since": kiosks ask for check-outs made elsewhere after the last
# value they saw, which needs no agreement between clocks.
counter = sa.Table(
    "counter",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

schema_version = sa.Table(
    "hub_schema",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.String(27), nullable=False),
)


# Who may sign in to the web console: one site each, a role, an argon2id hash, and the lockout
# (kept here, so a restart gives no fresh tries).
users = sa.Table(
    "users",
    metadata,
    sa.Column("login", sa.String(64), primary_key=True),
    sa.Column("site", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("host_id", sa.String(64)),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(27), nullable=False),
    sa.Column("password_changed_at", sa.String(27), nullable=False),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("locked_until", sa.String(27)),
    sa.Column("totp_secret", sa.String(64)),  # the second factor of admin and privacy users
    sa.Column("totp_last_step", sa.BigInteger, nullable=False, server_default="0"),
    sa.Index("users_by_site", "site"),
)


# Console sign-ins, in the database so every hub process behind a load balancer knows them. The
# cookie holds a random token; only its SHA-256 is stored, beside the form token (CSRF).
console_sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("login", sa.String(64), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(27), nullable=False),
    sa.Column("seen_at", sa.String(27), nullable=False),
    # False until an admin or privacy user has also given a code from their authenticator.
    sa.Column("verified", sa.Boolean, nullable=False),
    sa.Column("pending_secret", sa.String(64)),  # shown by QR while the user enrols
    sa.Index("console_sessions_by_login", "login"),
)


# Evacuation roll calls started in the console: a snapshot of who was on site, and each tick
# (who ticked, when), so several phones can tick at once and all see the same list.
roll_calls = sa.Table(
    "roll_calls",
    metadata,
    sa.Column("roll_call_id", sa.String(36), primary_key=True),
    sa.Column("site", sa.String(64), nullable=False),
    sa.Column("started_at", sa.String(27), nullable=False),
    sa.Column("started_by", sa.String(64), nullable=False),
    sa.Column("closed_at", sa.String(27)),
    sa.Column("closed_by", sa.String(64)),
    sa.Column("changes", sa.Integer, nullable=False),  # bumped by every tick: phones poll it
    sa.Index("roll_calls_by_site", "site", "closed_at"),
)
roll_call_people = sa.Table(
    "roll_call_people",
    metadata,
    sa.Column("roll_call_id", sa.String(36), primary_key=True),
    sa.Column("visit_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),  # the name, or the badge code if none was sent
    sa.Column("host", sa.Text, nullable=False),
    sa.Column("kiosk_id", sa.String(64), nullable=False),
    sa.Column("checked_in_at", sa.String(27), nullable=False),
    sa.Column("ticked_at", sa.String(27)),
    sa.Column("ticked_by", sa.String(64)),
)
# Guests a host invited in the console. Kiosks of the site fetch the ones still to come on each
# sync, so the code works at any lobby kiosk. Deleted when the window has ended.
invitations = sa.Table(
    "invitations",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("site", sa.String(64), nullable=False),
    sa.Column("host_id", sa.String(64), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("starts_at", sa.String(27), nullable=False),
    sa.Column("ends_at", sa.String(27), nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(27), nullable=False),
    sa.Column("cancelled_at", sa.String(27)),
    sa.Column("mail_error", sa.Text),  # why the email did not go, for the host to see
    sa.Index("invitations_by_site", "site", "ends_at"),
)


# What the deny list flagged at the kiosks (refused, or admitted close to an entry), so the front
# desk sees it in the console. Ids, times and kinds only: the visit's name stays in ``visits``.
alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("site", sa.String(64), primary_key=True),
    sa.Column("kiosk_id", sa.String(64), primary_key=True),
    sa.Column("alert_id", sa.BigInteger, primary_key=True),
    sa.Column("at", sa.String(27), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("deny_id", sa.String(32), nullable=False),
    sa.Column("visit_id", sa.String(64)),
    sa.Index("alerts_by_site", "site", "at"),
)


# One-time enrolment codes: a new kiosk trades one (typed or scanned once, within 24 hours) for
# its API key, so nobody pastes a key into a config file. Only the code's hash is kept.
enrolments = sa.Table(
    "enrolments",
    metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True),
    sa.Column("kiosk_id", sa.String(64), nullable=False),
    sa.Column("site", sa.String(64), nullable=False),
    sa.Column("expires_at", sa.String(27), nullable=False),
    sa.Column("used_at", sa.String(27)),
)


def _m001_initial(connection: Connection) -> None:
    for table in (kiosks, visits, receipts, tombstones, erasures, hosts, deny, counter):
        table.create(connection)
    connection.execute(counter.insert().values(name="checkout", value=0))


def _m002_scope_ids_by_site(connection: Connection) -> None:
    """Visits, tombstones and deny entries keyed by (site, id), not by id alone: rebuilt and
    copied, since SQLite cannot change a primary key in place. A version-1 tombstone does not
    say whose visit it buried (the visit is gone), so it is kept for every site: it only stops
    a late replay of that one erased id."""
    copies = {
        visits: "SELECT {names} FROM visits_v1",
        deny: "SELECT {names} FROM deny_v1",
        tombstones: "SELECT k.site, o.visit_id, o.until FROM tombstones_v1 o "
        "CROSS JOIN (SELECT DISTINCT site FROM kiosks) k",
    }
    for index in ("visits_on_site", "visits_on_site_now", "visits_out_elsewhere", "visits_purge"):
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {index}")
    for table, select in copies.items():
        connection.exec_driver_sql(f"ALTER TABLE {table.name} RENAME TO {table.name}_v1")
        table.create(connection)
        names = ", ".join(column.name for column in table.columns)
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({names}) {select.format(names=names)}"
        )
        connection.exec_driver_sql(f"DROP TABLE {table.name}_v1")


def _m003_console(connection: Connection) -> None:
    tables = (
        users,
        console_sessions,
        roll_calls,
        roll_call_people,
        console_audit,
        invitations,
        alerts,
        enrolments,
    )
    for table in tables:
        table.create(connection)
    # Appending to the audit chain takes this row's lock first, so two hub processes never fork it.
    if sa.inspect(connection).has_table("counter"):
        connection.execute(counter.insert().values(name="audit", value=0))


def _m005_receipts_by_deadline(connection: Connection) -> None:
    """The purge finds expired receipts by their deadline (one per event the kiosks sent)."""
    if sa.inspect(connection).has_table("receipts"):
        connection.exec_driver_sql(
            "CREATE INDEX IF NOT EXISTS receipts_purge ON receipts (purge_after)"
        )


def _m006_visit_indexes_retention_skips(connection: Connection) -> None:
    """The site's on-site list and the checkouts made elsewhere are found by partial indexes
    that hold only the visits they list; ``visits_on_site`` (site, checked_out_at) held every
    visit, so each purged one was deleted from it too, and a kiosk's ``GET /v1/checkouts``
    read every visit of its site (29 ms at 300,000)."""
    if not sa.inspect(connection).has_table("visits"):
        return
    connection.exec_driver_sql("DROP INDEX IF EXISTS visits_on_site")
    for index in visits.indexes:
        if index.name in ("visits_on_site_now", "visits_out_elsewhere"):
            index.create(connection, checkfirst=True)


Migration = Callable[[Connection], None]
# Append, never edit a released one; the number is the list position.
MIGRATIONS: tuple[Migration, ...] = (
    _m001_initial,
    _m002_scope_ids_by_site,
    _m003_console,
    m004_site_wide,
    _m005_receipts_by_deadline,
    _m006_visit_indexes_retention_skips,
    m007_host_directory_tags,
    m008_audit_marks,
)


def migrate(engine: Engine, applied_at: str) -> int:
    """Bring the database to the newest schema; returns the version it is at."""
    with engine.begin() as connection:
        _lock(connection)
        schema_version.create(connection, checkfirst=True)
    version = current_version(engine)
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        with engine.begin() as connection:
            _lock(connection)
            done = connection.execute(
                sa.select(sa.func.count()).where(schema_version.c.version == number)
            ).scalar_one()
            if done:  # another hub process got here first
                continue
            step(connection)
            connection.execute(
                schema_version.insert().values(version=number, applied_at=applied_at)
            )
    return current_version(engine)


def current_version(engine: Engine) -> int:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("hub_schema"):
            return 0
        value = connection.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
    return int(value or 0)


def _lock(connection: Connection) -> None:
    """Serialise migrations across hub processes (PostgreSQL); SQLite has one writer anyway."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(7206)"))
