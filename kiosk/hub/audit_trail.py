"""The console's audit trail: who did what in the console (roll calls, check-outs, invitations),
per site, in the same transaction as the change itself. Each entry carries the hash of the one
before it (SHA-256 over the previous hash and the entry's fields), so changing or removing an entry
breaks the chain from there on; ``verify`` finds the first break. Appending first bumps the
``audit`` row of the counter table, which serialises writers across hub processes.

The trail is kept ``audit_days`` (a year by default): older entries go, oldest first, and the
last one gone anchors the chain (``audit_marks``), so the first kept entry must still follow from
it. Checking the whole chain costs ~27 µs an entry (2.7 s at 100,000), so the console's audit
page does not: the hub's upkeep checks it in full and marks the newest entry it found intact (or
the first break), and the page checks only the entries since that mark.
"""

from __future__ import annotations

import hashlib
import json
from itertools import takewhile
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from kiosk.hub import schema as t
from kiosk.hub.schema_audit import ANCHOR, BROKEN, CHECKED, audit_marks, console_audit

FIELDS = ("at", "site", "login", "action", "record", "detail")
# Every action the console and the hub record; the console shows each in words (its locale's
# ``action:…`` keys), so an action not listed here is refused rather than shown as code.
ACTIONS = frozenset(
    {
        "checked out",
        "invited",
        "invitation cancelled",
        "roll call started",
        "accounted for",
        "tick removed",
        "roll call closed",
        "kiosk_enrol",
        "kiosk_revoke",
        "user_add",
        "user_role",
        "user_remove",
        "deny_add",
        "deny_remove",
        "host_save",
        "hosts_import",
        "company_save",
        "company_remove",
        "rights_erase",
        "rights_export",
        "rights_erase_done",
        "rights_export_done",
        "rights_download",
        "rights_expired",
    }
)


def entry_hash(prev_hash: str, entry: dict[str, str]) -> str:
    body = json.dumps([prev_hash, *(entry[name] for name in FIELDS)], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def audit(
    db: Connection, at: str, site: str, login: str, action: str, record: str, detail: str
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"not an audited action: {action!r} (add it to ACTIONS and the locales)")
    _lock_the_chain(db)
    last = db.execute(
        sa.select(console_audit.c.hash).order_by(console_audit.c.id.desc()).limit(1)
    ).first()
    entry = {
        "at": at,
        "site": site,
        "login": login,
        "action": action,
        "record": record,
        "detail": detail,
    }
    prev_hash = last.hash if last else _start(db).hash  # a trail purged to its end goes on
    db.execute(
        console_audit.insert(),
        {**entry, "prev_hash": prev_hash, "hash": entry_hash(prev_hash, entry)},
    )


class Mark(NamedTuple):
    """An entry of the chain by id and hash (id 0 and "": before the first entry)."""

    entry_id: int
    hash: str
    at: str = ""


class ChainState(NamedTuple):
    """What the console's audit page says of the chain."""

    entries: int  # in the trail now
    first_bad: int | None  # the first entry that does not follow, if any
    checked_at: str  # when the chain was last checked in full ("" never)


def verify(engine: Engine) -> tuple[int, int | None]:
    """The whole chain, from the anchor: (entries checked, id of the first entry that does not
    fit the chain, or None)."""
    with engine.connect() as db:
        checked, first_bad, _ = _walk(db, _start(db))
    return checked, first_bad


def check_in_full(engine: Engine, at: str) -> tuple[int, int | None]:
    """``verify``, and mark the result for the console's audit page: the newest entry found
    intact, or the first break (kept until a full check finds the chain intact again)."""
    with engine.connect() as db:
        checked, first_bad, last = _walk(db, _start(db))
    with engine.begin() as db:
        if first_bad is not None:
            _set_mark(db, BROKEN, Mark(first_bad, "", at))
            return checked, first_bad
        db.execute(audit_marks.delete().where(audit_marks.c.name == BROKEN))
        _set_mark(db, CHECKED, last._replace(at=at))
    return checked, None


def recent_state(engine: Engine) -> ChainState:
    """The chain as the audit page shows it: the last full check's break if it found one, else
    the entries since the newest one it found intact, checked now (all of them from the anchor
    if there was no full check yet, or if that entry has changed or gone since)."""
    with engine.connect() as db:
        entries = db.execute(sa.select(sa.func.count()).select_from(console_audit)).scalar_one()
        broken, checked = _mark(db, BROKEN), _mark(db, CHECKED)
        checked_at = checked.at if checked else ""
        if broken is not None:
            return ChainState(entries, broken.entry_id, broken.at)
        start = _start(db)
        if checked is not None and checked.entry_id > start.entry_id:
            c = console_audit.c
            row = db.execute(sa.select(console_audit).where(c.id == checked.entry_id)).first()
            if row is not None and row.hash == _hash_of(row) == checked.hash:
                start = checked  # that entry is still the one the full check found intact
        _, first_bad, _ = _walk(db, start)
    return ChainState(entries, first_bad, checked_at)


def purge_before(engine: Engine, cutoff: str, at: str, limit: int = 1000) -> int:
    """Entries from before ``cutoff`` go, ``limit`` at a time from the oldest, each transaction
    moving the anchor to the last one it removed; the newest entry stays whatever its age, so
    the next one's id follows it (SQLite numbers an emptied table from 1 again). Returns how
    many went."""
    c = console_audit.c
    removed = 0
    while True:
        with engine.begin() as db:
            _lock_the_chain(db)  # no entry is appended to a chain half moved
            newest = db.execute(sa.select(sa.func.max(c.id))).scalar()
            if newest is None:
                return removed
            oldest = db.execute(
                sa.select(c.id, c.at, c.hash).where(c.id < newest).order_by(c.id).limit(limit)
            ).all()
            gone = list(takewhile(lambda row: row.at < cutoff, oldest))
            if not gone:
                return removed
            last = gone[-1]
            _set_mark(db, ANCHOR, Mark(int(last.id), str(last.hash), at))
            db.execute(console_audit.delete().where(c.id <= last.id))
        removed += len(gone)
        if len(gone) < limit:
            return removed


def _walk(db: Connection, start: Mark) -> tuple[int, int | None, Mark]:
    """Checks the entries after ``start`` in order: (entries checked, the first that does not
    follow from the one before, or None; the last intact one)."""
    c = console_audit.c
    rows = db.execution_options(yield_per=1000).execute(
        sa.select(console_audit).where(c.id > start.entry_id).order_by(c.id)
    )
    count, last = 0, start
    for row in rows:
        if row.prev_hash != last.hash or row.hash != _hash_of(row):
            rows.close()
            return count, int(row.id), last
        last = Mark(int(row.id), str(row.hash))
        count += 1
    return count, None, last


def _hash_of(row: sa.Row[Any]) -> str:
    """The hash an entry must have: of its fields and the hash it says is the one before."""
    return entry_hash(str(row.prev_hash), {name: str(getattr(row, name)) for name in FIELDS})


def _lock_the_chain(db: Connection) -> None:
    """Held until ``db``'s transaction ends: appends and the purge take turns."""
    counter = t.counter.c
    db.execute(t.counter.update().where(counter.name == "audit").values(value=counter.value + 1))


def _start(db: Connection) -> Mark:
    """Where the kept chain starts: the last purged entry, or before the first entry."""
    return _mark(db, ANCHOR) or Mark(0, "")


def _mark(db: Connection, name: str) -> Mark | None:
    m = audit_marks.c
    row = db.execute(sa.select(m.entry_id, m.hash, m.at).where(m.name == name)).first()
    return None if row is None else Mark(int(row.entry_id), str(row.hash), str(row.at))


def _set_mark(db: Connection, name: str, mark: Mark) -> None:
    m = audit_marks.c
    values = {"entry_id": mark.entry_id, "hash": mark.hash, "at": mark.at}
    if not db.execute(audit_marks.update().where(m.name == name).values(**values)).rowcount:
        db.execute(audit_marks.insert().values(name=name, **values))
