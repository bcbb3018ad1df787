"""Where the console's hash-chained audit trail stands (migration 8): the entry its retention
purged last, which the kept entries follow from, and the newest entry a full check of the chain
found intact, from which the console's audit page checks only what came since."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk.hub.schema_meta import metadata

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
    trail = metadata.tables.get("console_audit")
    if trail is not None and sa.inspect(connection).has_table("console_audit"):
        for index in trail.indexes:
            index.create(connection, checkfirst=True)
