from __future__ import annotations

import sqlite3

import pytest

from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.records import replace
from kiosk.store import MIGRATIONS, CheckinRecord, Store
from tests.conftest import FakeClock, make_form


def test_opened_for_durability_and_real_deletion(store: Store) -> None:
    assert store.pragma("journal_mode") == "wal"
    assert store.pragma("synchronous") == 2  # FULL
    assert store.pragma("secure_delete") == 1
    assert store.pragma("foreign_keys") == 1


def test_migrations_are_recorded_and_run_once(config: Config) -> None:
    first = Store(config.database_path)
    assert first.schema_version() == len(MIGRATIONS)
    first.close()
    again = Store(config.database_path)  # would fail on CREATE TABLE if re-run
    assert again.schema_version() == len(MIGRATIONS)
    again.close()


def test_checkin_is_all_or_nothing(service: CheckinService, store: Store) -> None:
    result = service.check_in(make_form(), service.current_notice("en"))
    visit = result.visit
    before = (len(store.visits()), store.daily_counts())
    duplicate = replace(visit, name="Someone Else")
    with pytest.raises(sqlite3.IntegrityError):
        store.record_checkin(
            CheckinRecord(
                duplicate,
                [service.current_notice("en")],
                "2026-11-25",
                {"print": None},
                visit.checked_in_at,
            )
        )
    assert (len(store.visits()), store.daily_counts()) == before
    assert len(store.pending_outbox("print", visit.id)) == 1  # the failed write queued nothing
    assert [v.name for v in store.visits()] == ["Ada Lovelace"]


def test_outbox_jobs_finish_or_record_their_failure(
    service: CheckinService, store: Store, clock: FakeClock
) -> None:
    visit = service.check_in(make_form(), service.current_notice("en")).visit
    (job,) = store.pending_outbox("print", visit.id)
    store.finish_outbox(job["id"], clock(), error="printer offline")
    (still,) = store.pending_outbox("print", visit.id)
    assert (still["attempts"], still["last_error"]) == (1, "printer offline")
    store.finish_outbox(job["id"], clock())
    assert store.pending_outbox("print", visit.id) == []


def test_in_memory_store_works_for_unit_tests(memory_store: Store, config: Config) -> None:
    service = CheckinService(memory_store, config, FakeClock())
    service.check_in(make_form(), service.current_notice("en"))
    assert len(memory_store.visits(on_site_only=True)) == 1


def test_checkpoints_happen_in_housekeeping_not_in_the_check_in(
    service: CheckinService, store: Store
) -> None:
    assert store.pragma("wal_autocheckpoint") >= 10_000  # only a safety net
    service.check_in(make_form(), service.current_notice("en"))
    service.housekeeping()
    with sqlite3.connect(store.path) as other:
        busy, wal_pages, done = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and wal_pages == done  # nothing left un-checkpointed


def test_store_closes_at_the_end_of_a_with_block(config: Config) -> None:
    with Store(config.database_path) as store:
        assert store.schema_version() == len(MIGRATIONS)
    with pytest.raises(sqlite3.ProgrammingError):
        store.visits()


def test_the_hot_queries_use_their_partial_indexes(store: Store, clock: FakeClock) -> None:
    """The on-site list, the field purge and the outbox read only the rows they look for; with
    indexes over only those rows, the purge's deletes touch four b-trees fewer per visit."""
    statements: list[str] = []
    conn = store._db.conn
    conn.set_trace_callback(statements.append)
    store.visits(on_site_only=True)
    store.erase_expired_fields(clock())
    store.pending_outbox("notify")
    store.pending_sync_batch(clock(), 10)
    conn.set_trace_callback(None)
    plans = {}
    for sql in statements:
        if sql.lstrip().upper().startswith(("SELECT", "UPDATE")):
            rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
            plans[sql] = " | ".join(str(row[-1]) for row in rows)
    assert plans, "no statement was traced"
    for sql, plan in plans.items():
        for table in ("visits", "outbox"):
            assert f"SCAN {table}" not in plan.replace(f"SCAN {table} USING", ""), (sql, plan)
    joined = " ".join(plans.values())
    for index in ("visits_on_site", "visits_email_purge", "visits_notes_purge", "outbox_pending"):
        assert index in joined, index
    partial = {
        row[0]: row[1]
        for row in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
        if row[1]
    }
    assert all(" WHERE " in partial[i] for i in ("visits_on_site", "outbox_pending"))


def test_acknowledgements_move_onto_their_visits_across_the_upgrade(config: Config) -> None:
    """Migration 15 keeps each acknowledgement on its visit's row (a visit has exactly one, made
    and erased with it); a store made by an earlier release keeps every acknowledgement."""
    earlier = Store(config.database_path)
    service = CheckinService(earlier, config)
    visit = service.check_in(make_form(), service.current_notice("en")).visit
    earlier.close()
    with sqlite3.connect(config.database_path) as conn:  # as the earlier release left it
        for column in (
            "acknowledged_at",
            "company_notice_version",
            "notice_given",
            "notice_recorded_by",
        ):
            conn.execute(f"ALTER TABLE visits DROP COLUMN {column}")
        conn.execute(
            "CREATE TABLE acknowledgements (visit_id TEXT PRIMARY KEY REFERENCES visits(id) "
            "ON DELETE CASCADE, notice_version TEXT NOT NULL REFERENCES notices(version), "
            "acknowledged_at TEXT NOT NULL, company_notice_version TEXT, given TEXT NOT NULL "
            "DEFAULT 'screen', recorded_by TEXT NOT NULL DEFAULT 'guest')"
        )
        conn.execute(
            "INSERT INTO acknowledgements (visit_id, notice_version, acknowledged_at, given, "
            "recorded_by) VALUES (?, ?, ?, ?, ?)",
            [visit.id, visit.notice_version, "2026-11-25T09:00:00Z", "paper", "staff:desk-1"],
        )
        conn.execute("DELETE FROM schema_migrations WHERE version = 15")
    with Store(config.database_path) as upgraded:
        assert upgraded.schema_version() == len(MIGRATIONS)
        tables = {r[0] for r in upgraded._db.conn.execute("SELECT name FROM sqlite_master")}
        assert "acknowledgements" not in tables
        assert upgraded.acknowledgement(visit.id) == {
            "visit_id": visit.id,
            "notice_version": visit.notice_version,
            "acknowledged_at": "2026-11-25T09:00:00Z",
            "company_notice_version": None,
            "given": "paper",
            "recorded_by": "staff:desk-1",
        }
        assert upgraded.visit(visit.id) == visit
