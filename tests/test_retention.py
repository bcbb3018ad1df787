from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.badges import BadgeTokens
from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.hosts import HostDirectory
from kiosk.records import replace
from kiosk.retention import purge
from kiosk.store import PURGE_CHUNK, Store
from kiosk.timeutil import to_db
from printers.file import FilePrinter
from printers.jobs import print_badge
from tests.bench.aged_store import grow
from tests.conftest import FakeClock, make_form

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)

CANARIES = {
    "Zelda Canary-Quokka": "zelda.canary@quokka.example",
    "金絲雀測試": "canary-cjk@例え.jp",
}


def files_under(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()]


def hits(directory: Path, needle: str) -> list[str]:
    """Every file under ``directory`` whose raw bytes contain ``needle`` in UTF-8 or UTF-16."""
    encodings = [needle.encode("utf-8"), needle.encode("utf-16-le"), needle.encode("utf-16-be")]
    return [str(f) for f in files_under(directory) if any(e in f.read_bytes() for e in encodings)]


def test_purge_leaves_no_trace_in_database_wal_or_spool(
    store: Store, config: Config, clock: FakeClock, tokens: BadgeTokens
) -> None:
    service = CheckinService(store, config, clock)
    printer = FilePrinter(config.spool_dir)
    for name, email in CANARIES.items():
        visit = service.check_in(
            make_form(name=name, email=email), service.current_notice("en")
        ).visit
        assert print_badge(
            store, config, printer, tokens, HostDirectory(store, config), visit.id, clock()
        ).ok
    clock.advance(days=config.retention_days - 1)
    keeper = service.check_in(
        make_form(name="Still Here", email="still@here.example"), service.current_notice("en")
    ).visit
    for name in CANARIES:
        assert hits(config.data_dir, name), "canary should be findable before the purge"

    clock.advance(days=1, seconds=1)
    result = purge(store, config.spool_dir, clock(), config.retention_days)

    assert (result.visits_erased, result.spool_files_removed) == (2, 4)  # PNG + PDF each
    for name, email in CANARIES.items():
        assert hits(config.data_dir, name) == []
        assert hits(config.data_dir, email) == []
    assert [v.id for v in store.visits()] == [keeper.id]  # inside retention: untouched
    assert store.visit(keeper.id) == keeper
    assert sum(row["count"] for row in store.daily_counts()) == 3  # statistics survive


def test_nothing_expires_early(store: Store, config: Config, clock: FakeClock) -> None:
    service = CheckinService(store, config, clock)
    visit = service.check_in(make_form(), service.current_notice("en")).visit
    just_before = visit.purge_after - timedelta(microseconds=1)
    assert purge(store, config.spool_dir, just_before, config.retention_days).visits_erased == 0
    assert (
        purge(store, config.spool_dir, visit.purge_after, config.retention_days).visits_erased == 1
    )


def test_purge_works_in_chunks_and_can_resume(
    store: Store, config: Config, clock: FakeClock
) -> None:
    service = CheckinService(store, config, clock)
    notice = service.current_notice("en")
    for n in range(PURGE_CHUNK + 20):
        service.check_in(make_form(name=f"Guest {n}"), notice, print_badge=False)
    later = clock.now + (store.visits()[0].purge_after - clock.now)
    # A run that dies after the first chunk (simulated by erasing one chunk by hand) ...
    assert store.erase_expired_visits(later, PURGE_CHUNK) == PURGE_CHUNK
    assert len(store.visits()) == 20
    # ... is finished by the next run, which finds only what is left.
    assert purge(store, config.spool_dir, later, config.retention_days).visits_erased == 20
    assert store.visits() == []


def test_outbox_rows_and_acknowledgements_go_with_the_visit(
    store: Store, config: Config, clock: FakeClock
) -> None:
    hub = replace(config, hub_url="https://hub.example")
    service = CheckinService(store, hub, clock)
    visit = service.check_in(make_form(), service.current_notice("en")).visit
    purge(store, config.spool_dir, visit.purge_after, config.retention_days)
    assert store.acknowledgement(visit.id) is None
    assert all(store.pending_outbox(kind) == [] for kind in ("print", "notify", "sync"))


def test_erasing_visits_takes_their_children_and_leaves_the_store_checking_keys(
    store: Store, config: Config, clock: FakeClock
) -> None:
    """erase_visits switches foreign-key checks and fsync-per-commit off for its own transaction
    only: afterwards no child row is left and the store enforces keys and syncs fully again."""
    hub = replace(config, hub_url="https://hub.example")
    service = CheckinService(store, hub, clock)
    notice = service.current_notice("en")
    gone = [service.check_in(make_form(name=f"Gone {n}"), notice).visit.id for n in range(3)]
    kept = service.check_in(make_form(name="Kept"), notice).visit.id
    assert store.erase_visits(gone) == 3
    assert [v.id for v in store.visits()] == [kept]
    rows = store._rows("SELECT DISTINCT visit_id FROM outbox")
    assert [row["visit_id"] for row in rows] == [kept]
    assert [store.acknowledgement(v) for v in gone] == [None] * 3
    assert store.acknowledgement(kept) is not None
    assert store.pragma("foreign_keys") == 1
    assert store.pragma("synchronous") == 2  # FULL
    with pytest.raises(sqlite3.IntegrityError):
        store.enqueue("no-such-visit", "print", clock())


def test_a_passive_checkpoint_does_not_wait_for_the_store(store: Store, config: Config) -> None:
    """During a purge the WAL is checkpointed on a second connection, so a check-in holding the
    store's lock (or waiting for it) is not held up by the copy, nor the copy by it."""
    CheckinService(store, config).publish_notices()
    finished = threading.Event()
    with store._lock:  # a check-in in progress on another thread
        worker = threading.Thread(target=lambda: (store.checkpoint(truncate=False), finished.set()))
        worker.start()
        assert finished.wait(5), "the passive checkpoint waited for the store's lock"
    worker.join()


def test_no_commit_runs_an_automatic_checkpoint_while_the_purge_deletes(
    store: Store, config: Config, clock: FakeClock
) -> None:
    """A guest's check-in committing during the purge would otherwise copy the purge's pages
    into the file (measured: single commits of 60-120 ms); the purge checkpoints by itself."""
    service = CheckinService(store, config, clock)
    service.check_in(make_form(name="Old Visitor"), service.current_notice("en"))
    seen: list[int] = []
    erase = store.erase_expired_visits

    def watching(
        now: datetime, limit: int, restart_wal: bool = False, held: Any = (), **flags: bool
    ) -> int:
        seen.append(int(store.pragma("wal_autocheckpoint")))
        return erase(now, limit, restart_wal, held, **flags)

    store.erase_expired_visits = watching  # type: ignore[method-assign]
    clock.advance(days=config.retention_days, seconds=1)
    assert purge(store, config.spool_dir, clock(), config.retention_days).visits_erased == 1
    assert seen == [0, 0]  # the chunk that erased the visit, and the one that found none left
    assert store.pragma("wal_autocheckpoint") == 10_000  # the safety net is back


def test_a_delete_transaction_is_timed_without_its_wait_for_the_store(
    store: Store, config: Config, clock: FakeClock
) -> None:
    """The purge sizes its chunks by how long each delete transaction held the store; a chunk
    that merely waited behind a guest's check-in must not count as slow, or the chunks shrink
    and the purge crawls while guests check in."""
    service = CheckinService(store, config, clock)
    visit = service.check_in(make_form(), service.current_notice("en")).visit
    holding, release = threading.Event(), threading.Event()

    def a_guest_holding_the_store() -> None:
        with store._lock:
            holding.set()
            release.wait(5)

    guest = threading.Thread(target=a_guest_holding_the_store)
    guest.start()
    holding.wait(5)
    threading.Timer(0.3, release.set).start()
    started = time.perf_counter()
    assert store.erase_visits([visit.id]) == 1
    waited = time.perf_counter() - started
    guest.join()
    assert waited >= 0.3
    assert store.last_erase_seconds < 0.15  # the transaction alone


def test_the_wal_stays_short_while_guests_check_in_during_a_long_purge(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite starts the WAL from its beginning only when nothing was committed since a complete
    checkpoint. A guest whose check-in began before the purge's checkpoint and committed after it
    used to stop that, so over a long purge the WAL grew by every chunk (60-130 MB at 1,000,000
    visits) and truncating it at the end held the store for tens of milliseconds."""
    grow(tmp_path / "kiosk.db", 6_000, NOW)
    store = Store(tmp_path / "kiosk.db")
    monkeypatch.setattr("kiosk.retention.CHECKPOINT_EVERY", 0.0)  # one per chunk
    monkeypatch.setattr("kiosk.retention.CHECKPOINT_EVERY_ALONE", 0.0)
    monkeypatch.setattr("kiosk.retention.FIRST_CHUNK", 100)
    monkeypatch.setattr("kiosk.retention.LARGEST_CHUNK", 100)
    wal = Path(f"{store.path}-wal")
    largest, guests = [0], [0]
    checkpoint = store.checkpoint

    def a_guest_across_each_checkpoint(truncate: bool = True) -> None:
        if truncate:
            return checkpoint(truncate)
        # A check-in reading before the checkpoint ends ...
        with store.give_way.foreground(), store._transaction() as db:
            db.execute("SELECT count(*) FROM visits").fetchone()
            checkpoint(truncate)
            guests[0] += 1  # ... and committing after it
            db.execute(
                "INSERT INTO sync_state (name, value) VALUES ('guest', ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [str(guests[0])],
            )
        largest[0] = max(largest[0], wal.stat().st_size)
        return None

    monkeypatch.setattr(store, "checkpoint", a_guest_across_each_checkpoint)
    with store.give_way.foreground():
        pass  # the first guest of the queue, as the purge starts
    assert purge(store, tmp_path / "spool", NOW, config.retention_days).visits_erased == 6_000
    store.close()
    assert guests[0] >= 50
    one_chunk = 100 * 1_000  # a 100-visit chunk writes well under 1 KB of pages per visit
    assert 0 < largest[0] < 4 * one_chunk, largest[0]


def test_a_purge_chunk_takes_the_earliest_deadlines_with_their_outbox_rows(
    store: Store, config: Config, clock: FakeClock
) -> None:
    """The chunk's visits are picked twice in one transaction (for their outbox rows, then
    themselves): both picks must be the same visits, even where many share one deadline."""
    hub = replace(config, hub_url="https://hub.example")
    service = CheckinService(store, hub, clock)
    notice = service.current_notice("en")
    first = [service.check_in(make_form(name=f"First {n}"), notice).visit for n in range(8)]
    clock.advance(minutes=5)
    later = [service.check_in(make_form(name=f"Later {n}"), notice).visit for n in range(4)]
    store._db.execute(
        "UPDATE visits SET purge_after = ? WHERE id != ?",
        [to_db(datetime(2026, 1, 1, tzinfo=UTC)), later[-1].id],
    )
    store._db.execute(
        "UPDATE visits SET purge_after = ? WHERE id = ?",
        [to_db(datetime(2026, 1, 2, tzinfo=UTC)), later[-1].id],
    )
    now = datetime(2026, 2, 1, tzinfo=UTC)
    assert store.erase_expired_visits(now, 5) == 5
    left = {v.id for v in store.visits()}
    assert later[-1].id in left and len(left) == 7
    outbox = {row["visit_id"] for row in store._rows("SELECT DISTINCT visit_id FROM outbox")}
    assert outbox == left  # no visit left without its jobs, no job left without its visit
    while store.erase_expired_visits(now, 3):
        pass
    assert store.visits() == [] and store._rows("SELECT * FROM outbox") == []
    assert [v.id for v in first + later if store.acknowledgement(v.id)] == []
