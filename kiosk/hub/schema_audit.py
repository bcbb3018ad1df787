"""The console's hash-chained audit trail (``audit_trail``), and where it stands (migration 8):
the entry its retention purged last, which the kept entries follow from, and the newest entry a
full check of the chain found intact, from which the console's audit page checks only what came
since."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk.hub.schema_meta import metadata

# What console users did (roll calls, check-outs, invitations), per site; hash-chained like the
# kiosk's trail, so a changed or removed entry shows (``kiosk hub audit verify``).
console_audit = sa.Table(
    "console_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(27), nullable=False),
    sa.Column("site", sa.String(64), nullable=False),
    sa.Column("login", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("record", sa.String(64), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # a site's newest entries for its Administration page (migration 8), however many other
    # sites' entries are newer
    sa.Index("console_audit_by_site", "site", "id"),
)

ANCHOR, CHECKED, BROKEN = "anchor", "checked", "broken"
audit_marks = sa.Table(
    "audit_marks",
    metadata,
    sa.Column("name", sa.String(16), primary_key=True),  # ANCHOR, CHECKED or BROKEN
    sa.Column("entry_id", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),  # "" for BROKEN
    sa.Column("at", sa.String(27), nullable=False),  # when the mark was set
)


def m008_audit_marks(connection: Connection) -> None:
    """The marks, and the index of each site's entries (``console_audit_by_site``): a site's
    page read the trail back from its newest entry, every site's, until it had found 200."""
    audit_marks.create(connection)
    if sa.inspect(connection).has_table("console_audit"):
        for index in console_audit.indexes:
            index.create(connection, checkfirst=True)
