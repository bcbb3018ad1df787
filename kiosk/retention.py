"""Retention: personal data is erased when its visit's ``purge_after`` passes.

Whole visit rows go (name, email, free text, and the host/time link that could re-identify a
person); only the anonymous daily counts, kept at check-in time, remain for usage statistics.
The purge runs in small transactions so a check-in never waits long behind it, and it is
idempotent: if the process dies halfway, the next run simply finds the rest. Badge files in the
spool are deleted with their visits, and the WAL is truncated so no old page image survives.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from pathlib import Path

from kiosk import audit
from kiosk.give_way import GiveWay, chunk_by_chunk
from kiosk.logs import logger
from kiosk.models import PurgeResult
from kiosk.store import Store
from kiosk.wal_copier import WalCopier
from kiosk.wire import ROLL_CALL_KEPT, next_chunk_size

log = logger(__name__)
# Seconds per delete transaction while no guest is about (see below): a guest who comes waits
# about this once, then the chunks shrink. The longest transaction is this times the machine's
# worst moment, plus the commit's flush: on this 2-core VM the same 3 ms of pure CPU work took up
# to 2.6x its median (one slice in ~50 over 1.5x, no preemption seen; ``make bench`` prints the
# machine's figure), and at 6 ms one purge transaction in ~10,000 went past the 20 ms goal (28.9
# ms, 15.5 of them its own CPU). Alone, 100,000 visits, three A/B rounds of three (2026-12-02):
# 6 ms 231-259k visits/s (longest 7-10 ms), 4 ms 244-260k (5-7 ms), 3 ms 236-253k (3.6-6.1 ms);
# 1,000,000, three pairs: 6 ms 281-284k, 4 ms 260-283k. Measured earlier that day, on a slower
# phase of the machine (140-166k at 6 ms), 3 ms had cost a third of the rate (102-106k).
TRANSACTION_TARGET = 0.004
# ... and while guests are checking in (one did in the last GUESTS_AROUND seconds), shorter
# ones, as their check-in waits for the transaction under way: most of a slow check-in beside
# the purge was that wait (3-7.6 ms of 4-9.7). Beside a guest every 7 ms, 100,000 visits, four
# rounds twice each: 1 ms, check-in p99 3.4-3.9 ms and 38-41k visits/s; 3 ms, 5.2-5.3 ms and
# 77-84k. Alone, the purge keeps its pace.
TRANSACTION_TARGET_BESIDE_GUESTS = 0.001
GUESTS_AROUND = 1.0
# Seconds of deleting between two passive checkpoints while guests are checking in. A guest's
# commit that meets a checkpoint waits on its flush to disk, so small ones: 25 ms gave commits
# of 30-180 ms, 10 ms a quarter of that, and a faster purge (its WAL stays short).
CHECKPOINT_EVERY = 0.010
# ... and alone, where no commit waits on one: each checkpoint pays its own syncs to disk, and a
# page the next chunks change again is copied once, not each time. 1,000,000 visits alone,
# three A/B pairs (2026-12-02): the checkpoints took 0.95-1.16 s at 10 ms, 0.67-0.74 s at 40
# (100-115 of them, not 390-480), the WAL at most ~10 MB; the first guest to come meanwhile
# meets one such checkpoint, then the purge is back to CHECKPOINT_EVERY.
CHECKPOINT_EVERY_ALONE = 0.040
# Spool files shredded at once. Each waits on its own sync to disk, and a guest's commit waits
# behind the syncs already running when it starts (see SHRED_GIVES_WAY); 2, 4 and 8 shredders
# that give way were alike within the noise, 8 that do not were 2x slower for the guest.
SHREDDERS = 4
# Seconds a file's shredding waits at most for a guest's check-in in flight: 200 files synced
# eight at a time at the start of a purge held a check-in beside it 8-11 ms (p99 at 100,000
# visits 8.7-10.4 ms, 2.0 alone); giving way, 4.6-5.3 ms.
SHRED_GIVES_WAY = 0.05
# Visits in the first delete transaction, then sized by time. The first one meets a cold store
# (its pages and indexes not yet read): 500 visits took 10-20 ms of a purge's longest
# transaction, 100 take 10-11 ms, and the sizing doubles from there within a few chunks
# (measured on 100,000 visits beside a guest, 3 rounds each: longest 13-24 ms -> 10-12 ms).
FIRST_CHUNK = 100
SMALLEST_CHUNK, LARGEST_CHUNK = 50, 20_000
# Nothing reads a job once it succeeded (`kiosk outbox` lists open and given-up ones); the hour is
# slack for a reader that looked it up just before it finished.
FINISHED_JOBS_KEPT = timedelta(hours=1)


def spool_files(spool_dir: Path, visit_id: str) -> list[Path]:
    """Every spooled file belonging to one visit (badge PNG, PDF, …)."""
    return sorted(spool_dir.glob(f"badge-{visit_id}.*")) if spool_dir.is_dir() else []


def purge(
    store: Store,
    spool_dir: Path,
    now: datetime,
    retention_days: int,
    audit_days: int | None = None,
) -> PurgeResult:
    """Erase every field and visit whose retention has ended at ``now``; return what went."""
    fields = chunk_by_chunk(lambda: store.erase_expired_fields(now))
    with store.manual_checkpoints():
        erased, files_removed = _erase_expired_visits(store, spool_dir, now)
    stale = _stale_spool_files(spool_dir, now - timedelta(days=retention_days))
    files_removed += _shred_all(stale, store.give_way)
    roll_calls = _stale_spool_files(spool_dir, now - ROLL_CALL_KEPT, "evacuation-*")
    files_removed += _shred_all(roll_calls, store.give_way)
    store.purge_revocations(now)
    store.purge_invitations(now)
    store.purge_expired_denials(now, now - timedelta(days=retention_days))
    store.purge_remote_checkouts(now - timedelta(days=retention_days))
    chunk_by_chunk(lambda: store.purge_finished_outbox(now - FINISHED_JOBS_KEPT))
    if erased or fields or files_removed:
        detail = f"visits={erased} fields={fields} files={files_removed}"
        audit.record(store, now, "purge", "system", "", detail)
        log.info("retention: %s", detail)
    if audit_days:
        audit.purge_older_than(store, now - timedelta(days=audit_days))
    store.checkpoint(truncate=False)  # most of the copying without the store, then
    store.checkpoint()  # the rest and the truncation, holding it
    return PurgeResult(erased, files_removed, now, fields)


def _erase_expired_visits(store: Store, spool_dir: Path, now: datetime) -> tuple[int, int]:
    """Whole expired visits, chunk by chunk; returns (visits, spool files) erased.

    Badge files are shredded in the background meanwhile, and a visit's row is deleted only once
    its files are gone: a crash in between leaves a row whose files are gone, which the next run
    erases, never an orphan badge with a name on it. A visit whose files could not be shredded
    keeps its row, and the error is raised once the others are done."""
    spooled = _spool_index(spool_dir)  # one directory listing, not one glob per visit
    expired = store.expired_among(now, list(spooled))
    with (
        ThreadPoolExecutor(max_workers=SHREDDERS) as shredders,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="wal-copier") as worker,
    ):
        shredding = {v: shredders.submit(_shred_each, spooled[v], store.give_way) for v in expired}
        copier = WalCopier(lambda: store.checkpoint(truncate=False), worker)
        erased = _erase_in_chunks(store, now, shredding, _WalKeeper(store, copier))
    return erased, sum(job.result() for job in shredding.values())


def _erase_in_chunks(
    store: Store, now: datetime, shredding: Mapping[str, Future[int]], wal: _WalKeeper
) -> int:
    erased, chunk_size, restart_wal = 0, FIRST_CHUNK, False
    guests_around = store.give_way.busy_within(GUESTS_AROUND)
    held = list(shredding)
    while True:
        held = [v for v in held if not shredding[v].done() or shredding[v].exception()]
        # Its commit waits for the disk only while guests are about. Alone, a commit that
        # waits holds the store through any slow moment of the disk (one took 35.6 ms of a 38 ms
        # transaction in a ``make bench``; the goal is 20), and no guest needs it on disk at
        # once: the next checkpoint, at most CHECKPOINT_EVERY_ALONE of deleting later, syncs the
        # WAL before it copies it.
        chunk = store.erase_expired_visits(
            now, chunk_size, restart_wal, held, durable=guests_around
        )
        if not chunk:
            waiting = [shredding[v] for v in held if not shredding[v].done()]
            if waiting:
                wait(waiting, return_when=FIRST_COMPLETED)
                continue
            if any(shredding[v].exception() is None for v in held):
                continue  # shredded since the chunk was picked: erase those rows first
            wal.finish()
            return erased
        erased += chunk
        # Hand the store to a guest's check-in waiting for it: its lock is not fair, and this
        # thread would otherwise take it straight back (measured: check-in p99 8 ms, not 2.4).
        time.sleep(0)
        took = store.last_erase_seconds  # the transaction alone, not the wait for the store
        guests_around = store.give_way.busy_within(GUESTS_AROUND)
        target = TRANSACTION_TARGET_BESIDE_GUESTS if guests_around else TRANSACTION_TARGET
        chunk_size = next_chunk_size(chunk_size, took, target, SMALLEST_CHUNK, LARGEST_CHUNK)
        restart_wal = wal.after_deleting(took, guests_around)


class _WalKeeper:
    """Keeps the purge's WAL short as it goes: every CHECKPOINT_EVERY (ALONE) of deleting, its
    pages are copied into the store file on the store's second connection, so check-ins go on
    meanwhile (automatic checkpoints are off: one check-in's commit would otherwise copy 40 MB
    while holding the store), and the next chunk then restarts the WAL from its beginning.
    Alone, the copying runs beside the deleting (``kiosk.wal_copier``); beside guests it stays
    between two chunks, as their commits meet it already."""

    def __init__(self, store: Store, copier: WalCopier) -> None:
        self._store, self._copier = store, copier
        self._deleting = 0.0  # seconds of delete transactions since the last checkpoint began

    def after_deleting(self, took: float, guests_around: bool) -> bool:
        """After a delete transaction of ``took`` seconds: whether the next one restarts the
        WAL (having copied it all, here, in the purge's thread)."""
        self._deleting += took
        if self._copier.copying:
            if not self._copier.all_but_the_rest():
                return False
        elif self._deleting < (CHECKPOINT_EVERY if guests_around else CHECKPOINT_EVERY_ALONE):
            return False
        elif not guests_around:
            self._deleting = 0.0
            self._copier.start()
            return False
        self._store.checkpoint(truncate=False)
        self._deleting = 0.0
        return True

    def finish(self) -> None:
        """Wait for a copy still under way (the purge's last checkpoints follow)."""
        self._copier.finish()


def _spool_index(spool_dir: Path) -> dict[str, list[Path]]:
    """Spooled badge files by visit id (``badge-<id>.png``, ``.pdf``, ``.qr.png``)."""
    index: dict[str, list[Path]] = {}
    if not spool_dir.is_dir():
        return index
    with os.scandir(spool_dir) as entries:
        for entry in entries:
            if entry.name.startswith("badge-") and entry.is_file():
                visit_id = entry.name.removeprefix("badge-").split(".", 1)[0]
                index.setdefault(visit_id, []).append(Path(entry.path))
    return index


def shred_visit_files(spool_dir: Path, visit_id: str) -> int:
    return _shred_all(spool_files(spool_dir, visit_id))


def _stale_spool_files(spool_dir: Path, cutoff: datetime, pattern: str = "*") -> list[Path]:
    """Spool files older than ``cutoff``: a backstop for badges whose visit is already gone, and
    evacuation roll calls, which list names and are only needed on the day."""
    if not spool_dir.is_dir():
        return []
    limit = cutoff.timestamp()
    return [f for f in spool_dir.glob(pattern) if f.is_file() and f.stat().st_mtime < limit]


def _shred_each(files: Iterable[Path], give_way: GiveWay | None = None) -> int:
    return sum(_shred(file, give_way) for file in files)


def _shred_all(files: Iterable[Path], give_way: GiveWay | None = None) -> int:
    """Shred several files at once: each waits on its own sync to disk, and syncs that run
    together share the file system's journal commits (measured: 200 badge files in 27 ms with
    eight at a time, 50 ms one by one)."""
    batch = list(files)
    if len(batch) < 2:
        return _shred_each(batch, give_way)
    with ThreadPoolExecutor(max_workers=min(SHREDDERS, len(batch))) as pool:
        return sum(pool.map(lambda file: _shred(file, give_way), batch))


def _shred(file: Path, give_way: GiveWay | None = None) -> int:
    """Overwrite, then unlink: on ordinary file systems the bytes do not linger in free blocks.
    Returns 1 (counted as shredded even if another run removed it first, as before).

    ``give_way``: a background shredding (the purge's) starts only once no guest's check-in is
    in flight, whose commit would otherwise wait behind this file's sync to disk."""
    if give_way is not None:
        give_way.wait_for_foreground(SHRED_GIVES_WAY)
    try:
        size = file.stat().st_size
        with file.open("r+b") as handle:
            handle.write(b"\0" * size)
            handle.flush()
            os.fsync(handle.fileno())
        file.unlink()
    except FileNotFoundError:
        pass
    return 1
