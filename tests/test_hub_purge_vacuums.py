"""The vacuums of the hub's purge on PostgreSQL (issue #17): on one core each, early beside the
next table's purge when no kiosk is sending, after the last chunk and at autovacuum's pace when
kiosks are."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from kiosk.hub import erasing, purging
from kiosk.hub.service import HubService
from kiosk.timeutil import to_db
from tests.conftest import FakeClock
from tests.hub_server import grow_hub, hub_service
from tests.postgres import fresh_database
from tests.test_hub_purge import _a_kiosk_just_sent


def test_a_postgresql_purge_vacuums_without_parallel_workers(
    postgres: str, clock: FakeClock
) -> None:
    """After a big purge PostgreSQL vacuumed the indexes with parallel workers, taking the CPU
    a kiosk's batch needed to commit: p99 9-14 ms on a 2-core hub, 4 ms vacuuming alone."""
    hub = hub_service(fresh_database(postgres, "hub_purge_vacuum"), clock)
    grow_hub(hub, 1_000, to_db(clock() - timedelta(days=1)))
    vacuums: list[str] = []

    def statement(_c: object, _cur: object, sql: str, *_rest: object) -> None:
        if sql.startswith("VACUUM"):
            vacuums.append(sql)

    sa.event.listen(hub._engine, "before_cursor_execute", statement)
    counts = hub.purge(clock())
    hub.close()
    assert counts["visits"] == 1_000
    assert vacuums, "the purge vacuums the tables that held personal data"
    assert all(sql.startswith("VACUUM (PARALLEL 0") for sql in vacuums), vacuums


def test_on_postgresql_the_chunks_beside_a_vacuum_are_shorter(
    postgres: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A vacuum beside the purge shares the 2-core machine with its chunks: at the 8 ms aimed at
    alone, one chunk in 1,500-2,000 took 28-33 ms beside the visits' vacuum (the goal is 20)."""
    hub = hub_service(fresh_database(postgres, "hub_targets_vacuum"), clock)
    grow_hub(hub, 3_000, to_db(clock() - timedelta(days=1)))
    vacuum, receipts_done = purging.vacuum, threading.Event()

    def a_long_vacuum(engine: sa.Engine, table: str, truncate: bool = True) -> None:
        if table == "visits":  # lasting the whole of the receipts' purge
            receipts_done.wait(10)
        vacuum(engine, table, truncate)

    monkeypatch.setattr(purging, "vacuum", a_long_vacuum)
    seen: list[tuple[str, float]] = []
    table = ["visits"]

    def sized(size: int, took: float, target: float, smallest: int, largest: int) -> int:
        seen.append((table[0], target))
        return 100

    def statement(_c: object, _cur: object, sql: str, *_rest: object) -> None:
        if "DELETE FROM receipts" in sql:
            table[0] = "receipts"
        elif "DELETE FROM tombstones" in sql:
            receipts_done.set()

    monkeypatch.setattr(purging, "next_chunk_size", sized)
    sa.event.listen(hub._engine, "before_cursor_execute", statement)
    assert hub.purge(clock())["receipts"] == 3_000
    hub.close()
    alone, beside = purging.PURGE_TRANSACTION["postgresql"], purging.PURGE_TRANSACTION_BESIDE_VACUUM
    assert {target for name, target in seen if name == "visits"} == {alone}
    assert {target for name, target in seen if name == "receipts"} == {beside}
    assert beside < alone and beside <= 0.003  # beside the vacuum, 3 ms chunks took 8-12 ms


def _vacuums_and_chunks(
    hub: HubService, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str, bool]]:
    """What a purge of 3,000 visits did, in order, each with whether the purge's own thread did
    it: "receipts chunk", "vacuum <table>" (begun), "vacuumed <table>" and "returned"."""
    monkeypatch.setattr(purging, "next_chunk_size", lambda *_sizes: 10)  # 300 receipts' chunks
    grow_hub(hub, 3_000, to_db(clock() - timedelta(days=1)))
    log: list[tuple[str, bool]] = []
    purge_thread = threading.current_thread()

    def what(sql: str) -> str:  # "visits", or "visits, tail kept" (TRUNCATE false)
        if "DELETE FROM receipts" in sql:
            return "receipts chunk"
        if not sql.startswith("VACUUM"):
            return ""
        options, table = sql.removeprefix("VACUUM (").split(") ")
        return table + (", tail kept" if "TRUNCATE false" in options else "")

    def began(_c: object, _cur: object, sql: str, *_rest: object) -> None:
        if doing := what(sql):
            log.append((doing if "chunk" in doing else f"vacuum {doing}", _in(purge_thread)))

    def ended(_c: object, _cur: object, sql: str, *_rest: object) -> None:
        if (doing := what(sql)) and "chunk" not in doing:
            log.append((f"vacuumed {doing}", _in(purge_thread)))

    sa.event.listen(hub._engine, "before_cursor_execute", began)
    sa.event.listen(hub._engine, "after_cursor_execute", ended)
    counts = hub.purge(clock())
    log.append(("returned", True))
    hub.close()
    assert counts["visits"] == counts["receipts"] == 3_000
    return log


def _in(thread: threading.Thread) -> bool:
    return threading.current_thread() is thread


def test_on_postgresql_alone_the_visits_are_vacuumed_beside_the_receipts_purge(
    postgres: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Vacuumed at the end, one table after the other, the visits' vacuum was 40 % of a purge of
    1,000,000 visits. With no kiosk sending, a big table's vacuum begins once its purge ends,
    on another connection, beside the next table's chunks, keeping the table's empty tail
    (giving it back flushed the WAL and held a chunk beside it 21-33 ms). The vacuums at the end
    then give the tails back, every table that may hold a name once, and the purge returns once
    all are done."""
    hub = hub_service(fresh_database(postgres, "hub_early_vacuums"), clock)
    log = _vacuums_and_chunks(hub, clock, monkeypatch)
    chunks = [n for n, (doing, _) in enumerate(log) if doing == "receipts chunk"]
    began = log.index(("vacuum visits, tail kept", False))  # not the purge's thread
    assert began < chunks[-1], log  # begun while the receipts' chunks still ran
    assert ("vacuum receipts, tail kept", False) in log
    at_the_end = [doing.split()[1] for doing, mine in log if doing.startswith("vacuumed ") and mine]
    assert at_the_end == list(erasing.PERSONAL_TABLES)
    assert log.index(("vacuumed visits", True)) > chunks[-1]
    assert log[-1] == ("returned", True) and log[-2][0].startswith("vacuumed"), log[-3:]


def test_on_postgresql_beside_kiosks_the_vacuums_wait_for_the_last_chunk(
    postgres: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While kiosks are sending, a vacuum beside the chunks would take the CPU a batch needs to
    commit (a 2-core hub): they all run after the purge's last chunk, in its thread."""
    hub = hub_service(fresh_database(postgres, "hub_late_vacuums"), clock)
    _a_kiosk_just_sent(hub)
    log = _vacuums_and_chunks(hub, clock, monkeypatch)
    last_chunk = max(n for n, (doing, _) in enumerate(log) if doing == "receipts chunk")
    vacuums = [(n, doing, mine) for n, (doing, mine) in enumerate(log) if doing.startswith("vac")]
    assert len(vacuums) == 2 * len(erasing.PERSONAL_TABLES)  # each begun, then ended
    assert all(n > last_chunk and mine and "tail" not in doing for n, doing, mine in vacuums), log


@pytest.mark.parametrize("kiosks_sending", [True, False])
def test_on_postgresql_the_vacuum_goes_at_autovacuums_pace_while_kiosks_send(
    postgres: str, clock: FakeClock, kiosks_sending: bool
) -> None:
    """Unthrottled, the vacuums after a purge of 1,000,000 visits wrote at up to ~200 MB/s for
    1.8 s, and a kiosk's batch meanwhile waited on its commit's flush behind them (p99 8.4 ms).
    While kiosks are sending they pause as autovacuum does, and write their pages out as they
    go (not left to the kernel's burst 30 s later); alone, they go at full speed. Either way the
    connection goes back to the pool with the server's settings."""
    hub = hub_service(fresh_database(postgres, "hub_gentle_vacuum"), clock)
    grow_hub(hub, 1_000, to_db(clock() - timedelta(days=1)))
    if kiosks_sending:
        _a_kiosk_just_sent(hub)
    paces: list[tuple[str, str]] = []
    pace = (
        "SELECT current_setting('vacuum_cost_delay'), current_setting('vacuum_cost_limit'),"
        " current_setting('backend_flush_after')"
    )

    def statement(_c: object, cursor: Any, sql: str, *_rest: object) -> None:
        if sql.startswith("VACUUM"):
            paces.append(tuple(cursor.connection.execute(pace).fetchone()))

    sa.event.listen(hub._engine, "before_cursor_execute", statement)
    counts = hub.purge(clock())
    sa.event.remove(hub._engine, "before_cursor_execute", statement)
    with hub._engine.connect() as db:
        afterwards = tuple(db.exec_driver_sql(pace).one())
    hub.close()
    assert counts["visits"] == 1_000 and paces
    gentle, full_speed = ("2ms", "200", "256kB"), ("0", "200", "0")
    assert set(paces) == ({gentle} if kiosks_sending else {full_speed}), paces
    assert afterwards == full_speed
