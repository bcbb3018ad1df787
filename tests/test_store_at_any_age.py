"""The kiosk's store at any age and size: what runs at every print, at every start and every hour
does the same work on a year-old store as on a new one, and a privacy request on a store of many
visits reads whole only the visits it is about.

The audit trail is kept for ``[retention] audit_days`` (a year by default, ten at most), and
finished jobs pile up on a kiosk that ran an older version. Three reads of the trail scanned all of it: on a
year's trail of a busy lobby (550,000 entries) a print's "printed before?" took 127 ms, the
config check at start 6.4 s and 433 MB, and the hourly trail purge 57-65 ms holding the store.
And the first purge of a month's finished jobs (200,000) held the store 273 ms in one delete.

The work is counted in SQLite's own steps (a progress handler every 100 virtual-machine
instructions), not timed: the same on any machine, and an index seek and a scan of thousands of
rows are orders of magnitude apart.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest

from kiosk import audit, rights
from kiosk.config import Config
from kiosk.retention import purge
from kiosk.store import PURGE_CHUNK, Store
from kiosk.store import rows as convert
from kiosk.timeutil import to_db
from kiosk.wire import email_key
from tests.conftest import FakeClock

TRAIL = 20_000  # entries of an aged trail: three a guest, as check-in, print and check-out
STEPS_OF_A_LOOKUP = 20  # x 100 instructions: an index seek takes a few; a scan of TRAIL, ~1,600


@contextmanager
def counted_steps(store: Store) -> Iterator[list[int]]:
    """SQLite's work on the store's connection meanwhile, in hundreds of VM instructions."""
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0  # go on

    store._db.conn.set_progress_handler(step, 100)
    try:
        yield steps
    finally:
        store._db.conn.set_progress_handler(None, 0)


def grow_trail(store: Store, since: datetime, entries: int, every: timedelta) -> None:
    """``entries`` audit entries from ``since`` on, chained as ``audit.record`` chains them, written
    in one transaction (one at a time would take minutes)."""
    with store._transaction() as db:
        last = list(db.query("SELECT hash FROM audit ORDER BY id DESC LIMIT 1"))
        prev = last[0]["hash"] if last else ""
        rows = []
        for n in range(entries):
            action = ("checkin", "print", "checkout")[n % 3]
            entry = audit.entry(since + every * n, action, "guest", f"visit-{n // 3:06d}")
            sealed = audit.seal(prev, entry)
            rows.append((*entry.values(), prev, sealed))
            prev = sealed
        db.conn.executemany(
            "INSERT INTO audit (at, action, actor, record, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


@pytest.fixture
def aged(store: Store, clock: FakeClock) -> Store:
    """A store whose trail holds TRAIL entries, one a minute up to now, and a config entry."""
    audit.record(store, clock() - timedelta(days=30), "config", "system", "demo", "fingerprint")
    grow_trail(store, clock() - timedelta(minutes=TRAIL), TRAIL, timedelta(minutes=1))
    return store


def test_a_print_asks_whether_its_visit_was_printed_without_reading_the_trail(
    aged: Store,
) -> None:
    with counted_steps(aged) as steps:
        printed = aged.audit_count("print", "visit-000042")
        reprinted = aged.audit_count("reprint", "visit-000042")
    assert (printed, reprinted) == (1, 0)
    assert steps[0] < STEPS_OF_A_LOOKUP, "a print read the whole audit trail"


def test_the_config_check_at_start_reads_one_entry(
    aged: Store, config: Config, clock: FakeClock
) -> None:
    tracemalloc.start()
    with counted_steps(aged) as steps:
        changed = audit.note_config(aged, config, clock())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert changed  # the demo's fingerprint is not "fingerprint"
    assert not audit.note_config(aged, config, clock())  # and now it is the last one
    assert steps[0] < 2 * STEPS_OF_A_LOOKUP, "the start read the whole audit trail"
    assert peak < 1_000_000, f"the start held {peak:,} bytes of the trail"


def test_verifying_the_trail_reads_it_a_page_at_a_time(aged: Store) -> None:
    tracemalloc.start()
    check = audit.verify(aged)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert check.ok and check.entries == TRAIL + 1
    assert peak < 2_000_000, f"verify held {peak:,} bytes of the trail"


def test_the_trail_purge_goes_in_short_transactions_and_stops_where_the_kept_entries_start(
    aged: Store, clock: FakeClock
) -> None:
    purged = spy_on(aged, "purge_audit_before")
    kept = TRAIL * 3 // 4
    keep_from = clock() - timedelta(minutes=kept)  # a quarter of the trail goes
    gone = audit.purge_older_than(aged, keep_from)
    assert gone == 1 + TRAIL - kept  # the config entry too
    assert max(purged) <= PURGE_CHUNK, f"{max(purged)} entries deleted in one transaction"
    check = audit.verify(aged)
    assert check.ok and check.entries == kept  # the chain anchored on the last one gone
    # An hour later, the hourly purge: an hour's entries go, the rest of the trail is not read.
    grow_trail(aged, clock() + timedelta(minutes=1), 60, timedelta(minutes=1))
    with counted_steps(aged) as steps:
        assert audit.purge_older_than(aged, keep_from + timedelta(hours=1)) == 60
    # Two reads of PURGE_CHUNK entries at most (the hour's, then the first one kept), not the
    # kept trail read back from its newest entry (~1,200).
    assert steps[0] < 150, "the hourly purge read the whole trail"
    assert audit.verify(aged).ok


def test_finished_jobs_go_in_short_transactions(
    store: Store, config: Config, clock: FakeClock
) -> None:
    """A kiosk that ran an older version kept every finished job: its first purge deleted them
    all in one transaction (200,000 jobs of a month: 273 ms, the store held throughout)."""
    jobs = 3 * PURGE_CHUNK
    done_at = to_db(clock() - timedelta(days=2))
    with store._transaction() as db:
        db.execute("INSERT INTO notices VALUES ('n1', 'en', 'notice', ?)", [done_at])
        db.execute(
            "INSERT INTO visits (id, site, kiosk_id, host_id, purpose, name, email, language, "
            "notice_version, checked_in_at, purge_after) VALUES ('v1', 'site', 'lobby', 'h', "
            "'meeting', 'Ada', 'ada@example.com', 'en', 'n1', ?, ?)",
            [done_at, to_db(clock() + timedelta(days=20))],
        )
        db.conn.executemany(
            "INSERT INTO outbox (visit_id, kind, created_at, attempts, done_at) "
            "VALUES ('v1', 'print', ?, 1, ?)",
            [(done_at, done_at)] * jobs,
        )
        db.execute(
            "INSERT INTO outbox (visit_id, kind, created_at, attempts) VALUES ('v1', 'sync', ?, 0)",
            [done_at],
        )  # still open: it stays
    deleted = spy_on(store, "purge_finished_outbox")
    purge(store, config.data_dir / "spool", clock(), config.retention_days)
    assert sum(deleted) == jobs
    assert max(deleted) <= PURGE_CHUNK, f"{max(deleted)} jobs deleted in one transaction"
    assert [row["kind"] for row in store.outbox_overview()] == ["sync"]


def spy_on(store: Store, method: str) -> list[int]:
    """What each call of a store's chunked delete returned (rows in its transaction)."""
    returned: list[int] = []
    real = getattr(store, method)

    def spy(*args: object, **kwargs: object) -> int:
        count: int = real(*args, **kwargs)
        returned.append(count)
        return count

    setattr(store, method, spy)
    return returned


def test_a_rights_request_reads_whole_only_the_visits_it_finds(
    store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every address is compared (normalised, or hashed under the site's rights key: SQL can do
    neither), but only the person's visits are read whole. Read whole, a store of 100,000 visits
    took 2.4 s a request (2.7 for one from the hub), most of it making visits to throw away."""
    came = clock() - timedelta(days=3)
    with store._transaction() as db:
        db.execute("INSERT INTO notices VALUES ('n1', 'en', 'notice', ?)", [to_db(came)])
        db.conn.executemany(
            "INSERT INTO visits (id, site, kiosk_id, host_id, purpose, name, email, language, "
            "notice_version, checked_in_at, purge_after) VALUES (?, 'site', 'lobby', 'h', "
            "'meeting', ?, ?, 'en', 'n1', ?, ?)",
            [
                (f"v{n:05d}", f"Guest {n}", email, to_db(came + timedelta(minutes=n)), to_db(clock()))
                for n, email in enumerate(
                    "ADA@Example.com" if n == 700 else "ada@example.com" if n == 1500 else
                    "ＡＤＡ@example.com" if n == 300 else  # full width: another address
                    "" if n % 7 == 0 else f"guest{n}@example.com"
                    for n in range(2_000)
                )
            ],
        )  # fmt: skip
    made: list[str] = []
    real_visit = convert.visit

    def visit(row: dict[str, object]) -> object:
        made.append(str(row["id"]))
        return real_visit(row)  # type: ignore[arg-type]

    monkeypatch.setattr(convert, "visit", visit)
    found = rights.matching_visits(store, rights.same_address("Ada@example.com"))
    assert [v.id for v in found] == ["v00700", "v01500"]  # in the order they came
    key = b"r" * 32
    hashed = rights.under_key(key, email_key(key, "ada@EXAMPLE.com"))
    under_key = rights.matching_visits(store, hashed)
    assert [v.id for v in under_key] == ["v00700", "v01500"]
    assert made == ["v00700", "v01500"] * 2, f"{len(made)} visits read whole"
