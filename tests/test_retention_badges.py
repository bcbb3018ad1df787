"""Retention and the badge files in the spool: a visit's row goes only once its files are
shredded, the shredding gives way to a guest checking in, and a file that cannot be shredded
keeps its visit."""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk import retention
from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.give_way import GiveWay
from kiosk.retention import purge
from kiosk.store import Store
from tests.conftest import FakeClock, make_form


def test_a_visits_row_goes_only_after_its_badge_files_shredded_several_at_once(
    store: Store, config: Config, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Badge files are shredded in the background, several at a time (each waits on its own
    sync to disk), while visits without files go; a visit's row is deleted only once its files
    are gone (a crash in between leaves rows the next run erases, never a named badge without
    its row). A badge still within retention stays."""
    service = CheckinService(store, config, clock)
    notice = service.current_notice("en")
    old = [service.check_in(make_form(name=f"Old {n}"), notice).visit for n in range(12)]
    with_files = old[::2]
    clock.advance(days=config.retention_days, seconds=1)
    fresh = service.check_in(make_form(name="Fresh"), notice).visit
    config.spool_dir.mkdir(parents=True, exist_ok=True)
    for visit in [*with_files, fresh]:
        (config.spool_dir / f"badge-{visit.id}.png").write_bytes(b"PNG with a name")
    syncing, most = [0], [0]
    guard = threading.Lock()
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        with guard:
            syncing[0] += 1
            most[0] = max(most[0], syncing[0])
        time.sleep(0.05)
        real_fsync(fd)
        with guard:
            syncing[0] -= 1

    monkeypatch.setattr("kiosk.retention.os.fsync", slow_fsync)
    erase = store.erase_expired_visits
    rows_gone_with_files_left: list[str] = []
    erased_while_shredding = [0]

    def checking(
        now: datetime, limit: int, restart_wal: bool = False, held: Any = (), **flags: bool
    ) -> int:
        erased = erase(now, limit, restart_wal, held, **flags)
        if any((config.spool_dir / f"badge-{v.id}.png").exists() for v in with_files):
            erased_while_shredding[0] += erased
        for visit in old:
            if (
                store.visit(visit.id) is None
                and (config.spool_dir / f"badge-{visit.id}.png").exists()
            ):
                rows_gone_with_files_left.append(visit.id)
        return erased

    monkeypatch.setattr(store, "erase_expired_visits", checking)
    result = purge(store, config.spool_dir, clock(), config.retention_days)
    assert (result.visits_erased, result.spool_files_removed) == (12, 6)
    assert rows_gone_with_files_left == []
    assert erased_while_shredding[0] > 0  # the visits without files did not wait
    assert [p.name for p in config.spool_dir.iterdir()] == [f"badge-{fresh.id}.png"]
    assert most[0] > 1


def test_the_purge_shreds_no_badge_while_a_guest_is_checking_in(
    store: Store, config: Config, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each badge file's shredding ends in a sync to disk, and a guest's commit waited behind
    the syncs running when it started: 200 files shredded eight at a time held check-ins beside
    the purge 8-11 ms. The shredders now wait while a check-in is in flight; the visits without
    files go meanwhile, and the rest once the guest has their badge."""
    monkeypatch.setattr("kiosk.retention.SHRED_GIVES_WAY", 30.0)  # here, as long as the guest
    service = CheckinService(store, config, clock)
    notice = service.current_notice("en")
    old = [service.check_in(make_form(name=f"Old {n}"), notice).visit for n in range(8)]
    with_files, without_files = old[::2], old[1::2]
    config.spool_dir.mkdir(parents=True, exist_ok=True)
    badges = [config.spool_dir / f"badge-{visit.id}.png" for visit in with_files]
    for badge in badges:
        badge.write_bytes(b"PNG with a name")
    clock.advance(days=config.retention_days, seconds=1)
    writing, written = threading.Event(), threading.Event()
    record = store.record_checkin

    def held_at_its_commit(*args: Any) -> bool:
        writing.set()
        assert written.wait(10)
        return bool(record(*args))

    monkeypatch.setattr(store, "record_checkin", held_at_its_commit)
    guest = threading.Thread(target=service.check_in, args=(make_form(name="Guest"), notice))
    guest.start()
    assert writing.wait(10)
    purging = threading.Thread(target=purge, args=(store, config.spool_dir, clock(), 30))
    purging.start()
    deadline = time.monotonic() + 10
    while any(store.visit(v.id) for v in without_files) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # shredders that did not wait would have been done long since
    files_during_the_check_in = [badge.exists() for badge in badges]
    rows_during_the_check_in = [store.visit(v.id) is not None for v in old]
    written.set()
    guest.join()
    purging.join()
    assert files_during_the_check_in == [True] * 4
    assert rows_during_the_check_in == [True, False] * 4  # those without files did not wait
    assert not any(badge.exists() for badge in badges)
    assert [v.name for v in store.visits()] == ["Guest"]


def test_a_badge_that_cannot_be_shredded_keeps_its_visit(
    store: Store, config: Config, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The others are erased; that visit's row stays for the next run, and the purge says why."""
    service = CheckinService(store, config, clock)
    notice = service.current_notice("en")
    stuck, other = (service.check_in(make_form(name=n), notice).visit for n in ("Stuck", "Other"))
    config.spool_dir.mkdir(parents=True, exist_ok=True)
    for visit in (stuck, other):
        (config.spool_dir / f"badge-{visit.id}.png").write_bytes(b"PNG with a name")
    shred = retention._shred

    def refusing(file: Path, give_way: GiveWay | None = None) -> int:
        if stuck.id in file.name:
            raise PermissionError(13, "Permission denied", str(file))
        return shred(file, give_way)

    monkeypatch.setattr("kiosk.retention._shred", refusing)
    clock.advance(days=config.retention_days, seconds=1)
    with pytest.raises(PermissionError):
        purge(store, config.spool_dir, clock(), config.retention_days)
    assert [v.id for v in store.visits()] == [stuck.id]
    assert [p.name for p in config.spool_dir.iterdir()] == [f"badge-{stuck.id}.png"]


def test_a_badge_shredded_while_a_chunk_found_nothing_still_has_its_visit_erased(
    store: Store, config: Config, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The purge holds back visits whose badge files are still being shredded. When the last of
    them finished between a chunk that found nothing and the purge's look at what it still
    waited for, the purge stopped with that visit's row in the store (seen in a loaded
    ``make test``: the test above kept both of its visits)."""
    service = CheckinService(store, config, clock)
    visit = service.check_in(make_form(name="Late"), service.current_notice("en")).visit
    config.spool_dir.mkdir(parents=True, exist_ok=True)
    (config.spool_dir / f"badge-{visit.id}.png").write_bytes(b"PNG with a name")
    release, shredded = threading.Event(), threading.Event()
    shred = retention._shred

    def slow(file: Path, give_way: GiveWay | None = None) -> int:
        release.wait(10)
        try:
            return shred(file, give_way)
        finally:
            shredded.set()

    erase = store.erase_expired_visits

    def erase_then_let_the_shredding_finish(*args: Any, **kwargs: Any) -> int:
        erased = erase(*args, **kwargs)
        if not release.is_set():  # the first chunk: it held the visit back and found nothing
            release.set()
            shredded.wait(10)
            time.sleep(0.05)  # its future is marked done right after
        return erased

    monkeypatch.setattr("kiosk.retention._shred", slow)
    monkeypatch.setattr(store, "erase_expired_visits", erase_then_let_the_shredding_finish)
    clock.advance(days=config.retention_days, seconds=1)
    result = purge(store, config.spool_dir, clock(), config.retention_days)
    assert store.visits() == [] and result.visits_erased == 1
    assert list(config.spool_dir.iterdir()) == []
