"""The hub's purge on SQLite, alone, copies its WAL into the database beside its deletes
(``kiosk.wal_copier``, #17); beside kiosks' batches the copying stays between chunks."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa

from kiosk import wal_copier
from kiosk.give_way import GiveWay
from kiosk.hub import purging
from kiosk.timeutil import to_db
from tests.conftest import FakeClock
from tests.hub_server import grow_hub, hub_service


class Step(NamedTuple):
    """A chunk (its delete began) or a copy (a checkpoint between chunks began)."""

    what: str  # "chunk" or "copy"
    in_purge_thread: bool
    beside_a_copy: bool  # a chunk that began while a copy ran in another thread
    wal_restarts: int  # SQLite's count of the WAL's restarts, as the step began
    deleted: int = 0  # a chunk's rows


def _wal_restarts(wal: Path) -> int:
    """The WAL header's checkpoint sequence number, which SQLite counts each restart of the WAL
    in (https://www.sqlite.org/fileformat2.html#walformat)."""
    return int.from_bytes(wal.read_bytes()[12:16], "big") if wal.exists() else 0


def _purge_steps(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, kiosks_sending: bool
) -> list[Step]:
    """The chunks and checkpoints of a purge of 40,000 visits in chunks of 500, in order. A
    checkpoint in another thread waits until a chunk began beside it (or one found no rows left:
    the table is done)."""
    monkeypatch.setattr(purging, "next_chunk_size", lambda *_sizes: 500)
    monkeypatch.setattr(purging, "PURGE_CHECKPOINT_ROWS_ALONE", 3_000)  # a few cycles a table
    hub = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    grow_hub(hub, 40_000, to_db(clock() - timedelta(days=1)))
    hub._give_way = GiveWay(lambda: 1000.0)  # time stands still: a batch stays recent
    if kiosks_sending:
        with hub._give_way.foreground():
            pass
    wal = Path(f"{tmp_path / 'hub.db'}-wal")
    purge_thread = threading.current_thread()
    steps: list[Step] = []
    copying, chunk_beside, table_done = threading.Event(), threading.Event(), threading.Event()

    def statement(_c: object, _cur: object, sql: str, *_rest: object) -> None:
        if sql.startswith("DELETE FROM") and threading.current_thread() is purge_thread:
            beside = copying.is_set()
            steps.append(Step("chunk", True, beside, _wal_restarts(wal)))
            if beside:
                chunk_beside.set()

    def deleted(_c: object, cursor: Any, sql: str, *_rest: object) -> None:
        if sql.startswith("DELETE FROM") and threading.current_thread() is purge_thread:
            steps[-1] = steps[-1]._replace(deleted=cursor.rowcount)
            (table_done.clear if cursor.rowcount else table_done.set)()

    sa.event.listen(hub._engine, "before_cursor_execute", statement)
    sa.event.listen(hub._engine, "after_cursor_execute", deleted)
    checkpoint = purging.checkpoint_between_chunks

    def watched_checkpoint(engine: sa.Engine) -> int:
        in_purge_thread = threading.current_thread() is purge_thread
        steps.append(Step("copy", in_purge_thread, False, _wal_restarts(wal)))
        if in_purge_thread:
            return checkpoint(engine)
        chunk_beside.clear()
        copying.set()
        try:
            pages = checkpoint(engine)
            waited = time.monotonic()
            while not (chunk_beside.wait(0.001) or table_done.is_set()):
                assert time.monotonic() - waited < 5, "no chunk began beside the copying"
        finally:
            copying.clear()
        return pages

    monkeypatch.setattr(purging, "checkpoint_between_chunks", watched_checkpoint)
    counts = hub.purge(clock())
    hub.close()
    assert counts["visits"] == counts["receipts"] == 40_000
    return steps


def _cycles(steps: list[Step]) -> list[list[int]]:
    """Where each cycle's copies are in ``steps``: the copier's passes, then the rest in the
    purge's thread. A table that ends during the passes cuts its cycle short (the chunk before
    the purge's own copy found no rows: the table's last checkpoint), and is left out."""
    cycles, current = [], []
    for n, step in enumerate(steps):
        if step.what != "copy":
            continue
        current.append(n)
        if step.in_purge_thread:
            if not steps[current[0]].in_purge_thread and steps[n - 1].deleted:
                cycles.append(current)
            current = []
    return cycles


def test_alone_the_hub_purge_goes_on_deleting_while_its_wal_is_copied(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between chunks, the checkpoints had been a quarter of the purge's time (1,000,000 visits
    alone: 0.8-1.0 s of 3.7). Alone, the copier copies PASSES times while chunks go on; the
    purge's thread copies the rest, and the chunk after it starts the WAL afresh."""
    steps = _purge_steps(tmp_path, clock, monkeypatch, kiosks_sending=False)
    cycles = _cycles(steps)
    assert len(cycles) >= 4  # 40,000 visits and their receipts, 3,000 rows a cycle
    for cycle in cycles:
        in_purge_thread = [steps[n].in_purge_thread for n in cycle]
        assert in_purge_thread == [False] * wal_copier.PASSES + [True]
    assert sum(step.beside_a_copy for step in steps) >= wal_copier.PASSES * len(cycles)
    rests = [cycle[-1] for cycle in cycles]
    assert all(steps[n + 1].what == "chunk" for n in rests)  # nothing in between
    # ... and that chunk, deleting rows, restarted the WAL: the next step counts one more restart
    restarted = [
        steps[n + 2].wal_restarts == steps[n].wal_restarts + 1
        for n in rests
        if steps[n + 1].deleted
    ]
    assert len(restarted) >= len(cycles) - 2 and all(restarted)  # a table's end may follow


def test_beside_kiosks_the_hub_purge_copies_its_wal_between_chunks(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch's commit meets the copying there already, and the WAL must stay under the 1,000
    pages at which the batch's commit would copy it back itself."""
    steps = _purge_steps(tmp_path, clock, monkeypatch, kiosks_sending=True)
    copies = [step for step in steps if step.what == "copy"]
    assert len(copies) >= 4
    assert all(step.in_purge_thread for step in copies)
    assert not any(step.beside_a_copy for step in steps)


def test_a_copy_that_fails_fails_the_purge(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a purge that reports its rows gone while their pages may still be in the WAL."""
    monkeypatch.setattr(purging, "next_chunk_size", lambda *_sizes: 500)
    monkeypatch.setattr(purging, "PURGE_CHECKPOINT_ROWS_ALONE", 3_000)
    hub = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    grow_hub(hub, 5_000, to_db(clock() - timedelta(days=1)))
    checkpoint = purging.checkpoint_between_chunks
    purge_thread = threading.current_thread()

    def failing(engine: sa.Engine) -> int:
        if threading.current_thread() is not purge_thread:
            raise sa.exc.OperationalError("PRAGMA wal_checkpoint", {}, Exception("disk I/O error"))
        return checkpoint(engine)

    monkeypatch.setattr(purging, "checkpoint_between_chunks", failing)
    with pytest.raises(sa.exc.OperationalError, match="disk I/O error"):
        hub.purge(clock())
    hub.close()
