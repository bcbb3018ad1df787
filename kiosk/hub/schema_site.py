"""The hub's tables for what a whole site shares: its keys, its kiosks' health, and the privacy
requests that must reach every kiosk of the site (migration 4)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk.hub.schema_meta import metadata

# The site's shared secrets, handed to its kiosks over the authenticated API: the deny-list key
# (so an entry made at one kiosk matches at every other) and the rights key (rights requests
# carry a keyed hash of the address, never the address). Hex text, made on first use.
site_secrets = sa.Table(
    "site_secrets",
    metadata,
    sa.Column("site", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(16), primary_key=True),
    sa.Column("value", sa.String(128), nullable=False),
    sa.Column("created_at", sa.String(27), nullable=False),
)

# Every badge public key a kiosk of the site published (current and retired), so a badge from
# one lobby verifies at another. Public keys only: the private keys never leave their kiosk.
badge_keys = sa.Table(
    "badge_keys",
    metadata,
    sa.Column("site", sa.String(64), primary_key=True),
    sa.Column("kid", sa.String(8), primary_key=True),
    sa.Column("public_key", sa.String(64), nullable=False),
    sa.Column("kiosk_id", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(27), nullable=False),
    sa.Column("retired_at", sa.String(27), nullable=False, server_default=""),
)

# What each kiosk said about itself on its last sync, for the admin's kiosk list.
kiosk_status = sa.Table(
    "kiosk_status",
    metadata,
    sa.Column("kiosk_id", sa.String(64), primary_key=True),
    sa.Column("last_seen", sa.String(27), nullable=False),
    sa.Column("version", sa.String(32), nullable=False),
    sa.Column("outbox", sa.Integer, nullable=False),
    sa.Column("clock_offset_s", sa.Float, nullable=False),
)

# A person's request made once at the hub (export or erase), for every kiosk of the site. The
# address is never stored: only its keyed hash, and that only until every kiosk has answered.
rights_requests = sa.Table(
    "rights_requests",
    metadata,
    sa.Column("receipt", sa.String(16), primary_key=True),
    sa.Column("site", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),  # export or erase
    sa.Column("email_hash", sa.String(64), nullable=False),  # "" once every kiosk answered
    sa.Column("created_at", sa.String(27), nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("hub_visits", sa.Integer, nullable=False),  # the hub's own copies erased/exported
    sa.Column("data_until", sa.String(27), nullable=False),  # export data erased after this
    sa.Column("downloaded_at", sa.String(27)),
    sa.Index("rights_requests_by_site", "site", "created_at"),
)
rights_tasks = sa.Table(
    "rights_tasks",
    metadata,
    sa.Column("receipt", sa.String(16), primary_key=True),
    sa.Column("kiosk_id", sa.String(64), primary_key=True),
    sa.Column("done_at", sa.String(27)),
    sa.Column("visits", sa.Integer, nullable=False, server_default="0"),
    sa.Index("rights_tasks_by_kiosk", "kiosk_id", "done_at"),
)
# A kiosk's answer to an export request: the person's records, kept only until the privacy
# officer downloads them or seven days have passed.
rights_exports = sa.Table(
    "rights_exports",
    metadata,
    sa.Column("receipt", sa.String(16), primary_key=True),
    sa.Column("kiosk_id", sa.String(64), primary_key=True),
    sa.Column("records", sa.Text, nullable=False),
)


# The companies of a multi-tenant building, for grouping its hosts (a host's company_id).
companies = sa.Table(
    "companies",
    metadata,
    sa.Column("site", sa.String(64), primary_key=True),
    sa.Column("company_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
)


def m004_site_wide(connection: Connection) -> None:
    tables = (
        site_secrets,
        badge_keys,
        kiosk_status,
        rights_requests,
        rights_tasks,
        rights_exports,
        companies,
    )
    for table in tables:
        table.create(connection)


# The version of each site's host directory as its kiosks last saw it: a new random tag at every
# change, sent as the ETag of ``GET /v1/hosts``. A kiosk that holds the current one gets 304 and
# no body: the directory is read and sent only when it changed (migration 7).
host_directories = sa.Table(
    "host_directories",
    metadata,
    sa.Column("site", sa.String(64), primary_key=True),
    sa.Column("tag", sa.String(32), nullable=False),
)
