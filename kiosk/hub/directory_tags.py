"""Tags for a site's host directory: the ETag of ``GET /v1/hosts``.

Every kiosk of a site asks for the directory at each sync (every 30 s); at 5,000 hosts the whole
answer cost the hub a read and 500 kB of JSON per kiosk, and each kiosk ~115 ms to parse and
compare it. The tag changes in the transaction that changes the directory, so a kiosk that sends
the current one back (``If-None-Match``) is told 304 and nothing else is read. A random tag, not a
digest of the rows: writing one costs nothing, and an unchanged re-import at worst makes every
kiosk read the directory once more.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk.hub.schema_site import host_directories


def new_tag() -> str:
    return secrets.token_hex(8)


def changed(db: Connection, site: str) -> None:
    """The site's directory changed in ``db``'s transaction: give it a new tag there."""
    d = host_directories.c
    tag = new_tag()
    if not db.execute(host_directories.update().where(d.site == site).values(tag=tag)).rowcount:
        db.execute(host_directories.insert().values(site=site, tag=tag))


def current(db: Connection, site: str) -> str | None:
    """The site's tag, or None if its directory never changed since the hub began keeping them
    (no hosts, or none written): then there is nothing to compare, and the kiosk reads it all."""
    d = host_directories.c
    tag = db.execute(sa.select(d.tag).where(d.site == site)).scalar()
    return None if tag is None else str(tag)


def as_etag(tag: str) -> str:
    return f'"{tag}"'


def matches(if_none_match: str | None, tag: str | None) -> bool:
    """Whether the kiosk's ``If-None-Match`` names the current tag (a list, weak or not)."""
    if not if_none_match or tag is None:
        return False
    offered = {part.strip().removeprefix("W/") for part in if_none_match.split(",")}
    return as_etag(tag) in offered or "*" in offered


def m007_host_directory_tags(connection: Connection) -> None:
    """The table, and a tag for every site that has a directory already."""
    host_directories.create(connection)
    if not sa.inspect(connection).has_table("hosts"):
        return
    hosts = sa.table("hosts", sa.column("site"))  # as the table stood at migration 7
    sites = connection.execute(sa.select(hosts.c.site).distinct()).scalars()
    rows = [{"site": site, "tag": new_tag()} for site in sites]
    if rows:
        connection.execute(host_directories.insert(), rows)
