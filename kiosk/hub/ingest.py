"""Ingest of a batch of events: decided in memory against what the hub holds, written in bulk.

A visit is known by (site, visit id); the caller's key decides both the site and the kiosk, so
nothing in a body can name, pre-empt or shadow another site's visit.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk.hub import schema as t
from kiosk.hub.records import (
    KioskIdentity,
    RecordRejectedError,
    body_hash,
    bounded,
    checked_record,
    instant,
    key_and_visit,
    printable_key,
    purge_after_of,
)
from kiosk.wire import to_db

EVENTS = ("checkin", "checkout")


class ClashError(Exception):
    """What we read changed under us (another hub process was storing the same records)."""


class Batch:
    """Decides a batch of events against what the hub holds, then writes it in bulk."""

    def __init__(
        self, max_retention: timedelta, db: Connection, kiosk: KioskIdentity, now: datetime
    ) -> None:
        self.max_retention, self.db, self.kiosk, self.now = max_retention, db, kiosk, now
        self.new_visits: list[dict[str, Any]] = []
        self.new_receipts: list[dict[str, Any]] = []
        self.checkouts: list[tuple[str, str]] = []

    def run(self, events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        # Keys and ids are checked before any query sees them: one NUL or lone surrogate would
        # otherwise fail the whole batch in the driver.
        checked: list[tuple[str, str] | RecordRejectedError] = []
        for event in events:
            try:
                checked.append(key_and_visit(event))
            except RecordRejectedError as error:
                checked.append(error)
        keys = [item[0] for item in checked if isinstance(item, tuple)]
        ids = [item[1] for item in checked if isinstance(item, tuple) and item[1]]
        self._look_up(keys, ids)
        answers = []
        for item, event in zip(checked, events, strict=True):
            if isinstance(item, RecordRejectedError):
                key = printable_key(event)
                answers.append({"idempotency_key": key, "status": "rejected", "reason": str(item)})
                continue
            try:
                answers.append(self._decide(item[0], event))
            except RecordRejectedError as error:
                answers.append(
                    {"idempotency_key": item[0], "status": "rejected", "reason": str(error)}
                )
        self._write()
        return answers

    def _look_up(self, keys: Sequence[str], ids: Sequence[str]) -> None:
        """What the hub holds of the batch: this kiosk's receipts under its keys, the site's
        tombstones and visits under its ids, read by one statement (``_lookups``)."""
        self.receipts: dict[str, tuple[str, str]] = {}
        self.tombstones: set[str] = set()
        self.visits: dict[str, tuple[str | None, str]] = {}
        wanted = {
            "kiosk": self.kiosk.kiosk_id,
            "site": self.kiosk.site,
            "keys": list(dict.fromkeys(keys)),
            "ids": list(dict.fromkeys(ids)),
        }
        for kind, key, first, second in self.db.execute(_lookups(self.db.dialect.name), wanted):
            if kind == "receipt":
                self.receipts[key] = (first, second)
            elif kind == "tombstone":
                self.tombstones.add(key)
            else:
                self.visits[key] = (first, second)

    def _decide(self, key: str, event: Mapping[str, Any]) -> dict[str, Any]:
        this_hash = body_hash(event)
        if key in self.receipts:
            first_hash, first_answer = self.receipts[key]
            if first_hash != this_hash:
                raise RecordRejectedError("idempotency key already used for a different record")
            return {**json.loads(first_answer), "replayed": True}
        if not key:
            raise RecordRejectedError("missing idempotency_key")
        kind = event.get("event")
        if kind not in EVENTS:
            raise RecordRejectedError(f"unknown event {kind!r} (expected checkin or checkout)")
        record = checked_record(event.get("record"), self.kiosk)
        visit_id = record["visit_id"]
        if visit_id in self.tombstones:
            return {"idempotency_key": key, "status": "erased"}
        purge_after = self._check_in(record) if kind == "checkin" else self._check_out(record)
        if purge_after is None:  # already past its retention: not kept
            return {"idempotency_key": key, "status": "expired"}
        answer = {"idempotency_key": key, "status": "stored"}
        self.receipts[key] = (this_hash, json.dumps(answer))
        self.new_receipts.append(
            {
                "kiosk_id": self.kiosk.kiosk_id,
                "idempotency_key": key,
                "visit_id": visit_id,
                "body_hash": this_hash,
                "answer": json.dumps(answer),
                "purge_after": purge_after,
            }
        )
        return answer

    def _check_in(self, record: dict[str, Any]) -> str | None:
        if record["visit_id"] in self.visits:
            raise ClashError  # stored by another process between two of our reads: look again
        checked_in = instant(record, "checked_in_at", required=True, now=self.now)
        assert checked_in is not None
        # The cap counts from receipt as well: a record claiming a check-in in 2100 is still
        # purged within the hub's maximum retention of its arrival.
        latest = min(checked_in, self.now) + self.max_retention
        claimed = purge_after_of(record, latest)
        purge_after = min(claimed, latest)
        if purge_after <= self.now:
            return None
        out = instant(record, "checked_out_at", required=False, now=self.now)
        row = {
            "visit_id": record["visit_id"],
            "site": self.kiosk.site,
            "kiosk_id": self.kiosk.kiosk_id,  # the key decides; a kiosk_id in the body is ignored
            "host_id": bounded(record, "host_id"),
            "purpose": bounded(record, "purpose"),
            "checked_in_at": to_db(checked_in),
            "checked_out_at": to_db(out) if out else None,
            "checked_out_by": self.kiosk.kiosk_id if out else None,
            "notice_version": bounded(record, "notice_version"),
            "purge_after": to_db(purge_after),
            "name": bounded(record, "name"),
            "email": bounded(record, "email"),
        }
        self.new_visits.append(row)
        self.visits[row["visit_id"]] = (row["checked_out_at"], row["purge_after"])
        return str(row["purge_after"])

    def _check_out(self, record: dict[str, Any]) -> str:
        visit_id = record["visit_id"]
        if visit_id not in self.visits:
            raise RecordRejectedError("no such visit at this site (check-in not received yet)")
        checked_out, purge_after = self.visits[visit_id]
        if checked_out is None:  # the first check-out wins; a later one changes nothing
            out = instant(record, "checked_out_at", required=True, now=self.now)
            assert out is not None
            self.checkouts.append((visit_id, to_db(out)))
            self.visits[visit_id] = (to_db(out), purge_after)
        return purge_after

    def _write(self) -> None:
        if self.new_visits or self.new_receipts:
            _insert_rows(self.db, self.new_visits, self.new_receipts)
        if self.checkouts:
            counter = t.counter.c
            last = self.db.execute(
                t.counter.update()
                .where(counter.name == "checkout")
                .values(value=counter.value + len(self.checkouts))
                .returning(counter.value)
            ).scalar_one()
            v = t.visits.c
            self.db.execute(
                t.visits.update()
                .where(v.site == self.kiosk.site, v.visit_id == sa.bindparam("b_visit"))
                .values(
                    checked_out_at=sa.bindparam("b_out"),
                    checked_out_by=self.kiosk.kiosk_id,
                    checked_out_seq=sa.bindparam("b_seq"),
                ),
                [
                    {"b_visit": visit_id, "b_out": out, "b_seq": last - len(self.checkouts) + n + 1}
                    for n, (visit_id, out) in enumerate(self.checkouts)
                ],
            )


Rows = Sequence[Mapping[str, str | None]]


def _insert_rows(db: Connection, visits: Rows, receipts: Rows) -> None:
    """Inserts the batch's new visits and receipts (the same columns in each row of a table).
    On PostgreSQL as one statement that takes each table's rows as one JSON document: sent as
    ``executemany``, a batch's 50 visits and 50 receipts went through the driver's pipeline row
    by row (a third of the hub's Python time per batch), and as one array per column the driver
    escaped every value in Python. One statement for both tables, not one each: a statement is
    a round trip to the server, and each is where a batch waits for a CPU beside a purge."""
    if db.dialect.name != "postgresql":
        for table, rows in ((t.visits, visits), (t.receipts, receipts)):
            if rows:
                db.execute(table.insert(), list(rows))
        return
    names = (tuple(visits[0]) if visits else (), tuple(receipts[0]) if receipts else ())
    documents = {"visits": json.dumps(visits), "receipts": json.dumps(receipts)}
    db.execute(_insert_from_json(*names), documents)


@functools.cache
def _lookups(dialect: str) -> sa.CompoundSelect[Any]:
    """One statement for everything a batch must know before it is decided: rows of
    ``(kind, key, first, second)``, the kinds being this kiosk's receipts under the batch's
    ``:keys`` (body hash, answer), the site's tombstones under its ``:ids`` and its visits under
    them (checked out at, purge after). Three statements were three round trips to PostgreSQL:
    beside a purge on a 2-core machine each waited for a CPU, and a batch's p99 with them."""
    return sa.union_all(
        _lookup(dialect, "receipt", t.receipts, ("kiosk_id", "kiosk"), ("idempotency_key", "keys"),
                ("body_hash", "answer")),
        _lookup(dialect, "tombstone", t.tombstones, ("site", "site"), ("visit_id", "ids"), ()),
        _lookup(dialect, "visit", t.visits, ("site", "site"), ("visit_id", "ids"),
                ("checked_out_at", "purge_after")),
    )  # fmt: skip


def _lookup(
    dialect: str,
    kind: str,
    table: sa.Table,
    scope: tuple[str, str],
    key: tuple[str, str],
    more: tuple[str, ...],
) -> sa.Select[Any]:
    """``SELECT kind, key, *more WHERE scope = :scope AND key IN :wanted`` (each a column and
    its parameter's name), ``more`` padded with NULLs to two columns; the scope (this kiosk,
    this site) and the key make the table's primary key. On PostgreSQL each value is looked up
    on its own, through the primary key: a hub whose statistics are stale (a new one filling
    up, kiosks catching up after an outage: until autovacuum's next ANALYZE) planned ``IN (50
    ids)`` as a read of every row of the site, each filtered. Measured on a new hub, a batch's
    visit lookup took 4 ms at 2,000 visits and 23 ms at 20,000; looked up one by one, 0.5-0.6 ms
    at any size. ``LIMIT 1`` keeps the planner from folding the lookup into a join it could plan
    the old way again (the key is unique in its scope, so nothing is cut).

    Made once (``_lookups``), as the batch's values are parameters: built anew for each batch,
    the lookups cost the hub ~1 ms of Python a batch."""
    names = (key[0], *more)
    kind_column: sa.Label[str] = sa.literal_column(f"'{kind}'").label("kind")
    padding = [sa.null()] * (2 - len(more))
    in_scope = table.c[scope[0]] == sa.bindparam(scope[1])
    if dialect != "postgresql":
        wanted: sa.BindParameter[list[str]] = sa.bindparam(key[1], expanding=True)
        columns = (table.c[name] for name in names)
        return sa.select(kind_column, *columns, *padding).where(
            in_scope, table.c[key[0]].in_(wanted)
        )
    values = sa.bindparam(key[1], type_=sa.ARRAY(sa.Text))
    given = sa.func.unnest(values).table_valued("value").render_derived(name="given")
    found = sa.select(*(table.c[name] for name in names))
    row = found.where(in_scope, table.c[key[0]] == given.c.value).limit(1).lateral("found")
    return sa.select(kind_column, *(row.c[name] for name in names), *padding).select_from(
        given.join(row, sa.true())
    )


@functools.cache
def _insert_from_json(
    visit_names: tuple[str, ...], receipt_names: tuple[str, ...]
) -> sa.TextClause:
    """``INSERT INTO table (names) SELECT names FROM json_populate_recordset(...)`` for the
    visits (``:visits``) and the receipts (``:receipts``) that have names, one statement: each
    object's keys are the table's columns, converted to their types by PostgreSQL itself. Made
    once for each set of columns; the names come from the schema, never a request."""
    inserts = []
    for table, names in ((t.visits, visit_names), (t.receipts, receipt_names)):
        if names:
            columns = ", ".join(table.c[name].name for name in names)
            inserts.append(
                f"INSERT INTO {table.name} ({columns}) SELECT {columns}"  # noqa: S608
                f" FROM json_populate_recordset(NULL::{table.name}, :{table.name})"
            )
    if len(inserts) == 2:  # the visits' insert is the receipts' CTE: one statement, one result
        return sa.text(f"WITH new_visits AS ({inserts[0]}) {inserts[1]}")
    return sa.text(inserts[0])
