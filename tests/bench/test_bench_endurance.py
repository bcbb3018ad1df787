"""``make bench``: the goals a lobby feels over months (issue #14 and #17).

Purge of an aged store at 100,000 and 1,000,000 expired visits with a check-in thread running
beside it; the soak (Accept → badge, resident memory) through the real window; and the start of
a CLI command against bare Python importing what it must.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import pytest

from kiosk import retention
from kiosk.checkin import CheckinService
from kiosk.config import load_config
from kiosk.records import replace
from kiosk.store import Store
from tests.bench.aged_store import AgedStores
from tests.bench.conftest import (
    ALONE_SECONDS,
    Collections,
    Report,
    median_and_spread,
    ms,
    pace_row,
    paired_medians,
    percentile,
)
from tests.conftest import make_form

pytestmark = pytest.mark.bench
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
SOAK_GUESTS = 1_050  # 50 to warm up, then the 1,000 the growth goal is counted over
STEADY_FROM = 250  # the memory's slope is fitted from here (after the one-off steps, below)


class Transaction(NamedTuple):
    """One of the purge's delete transactions: its time, the CPU its thread spent in it (the
    rest is waiting: for the disk, or for Python while another thread ran), when it ended,
    whether it first finished a checkpoint holding the store, whether a guest was checking in
    beside it, and its COMMIT's time (writing its pages to the WAL and syncing it to disk)."""

    seconds: float
    cpu_seconds: float
    ended: float
    restarted_wal: bool
    beside_a_guest: bool
    commit_seconds: float


def _purge(
    path: Path, spool: Path, collections: Collections, beside_a_guest: bool = True
) -> tuple[float, list[Transaction], list[float], list[float]]:
    """Purge everything expired; returns (seconds, each delete transaction, check-in times
    of a guest thread that checks in every few milliseconds meanwhile, and those of the same
    thread in the second before the purge: its floor on the day, on the same store). Without
    ``beside_a_guest`` the purge runs alone and both lists are empty. The collector's runs
    during the purge go to ``collections``."""
    store = Store(path)
    config = replace(load_config(env={}), data_dir=path.parent)
    service = CheckinService(store, config, lambda: NOW)
    notice = service.current_notice("en")
    transactions: list[Transaction] = []
    erase = store.erase_expired_visits
    committing = [0.0]  # when the purge's thread last began a COMMIT
    purge_thread = threading.current_thread()

    def began(statement: str) -> None:
        if statement == "COMMIT" and threading.current_thread() is purge_thread:
            committing[0] = time.perf_counter()

    store._db.conn.set_trace_callback(began)

    def timed_erase(
        now: datetime,
        limit: int,
        restart_wal: bool = False,
        held: Sequence[str] = (),
        **flags: bool,
    ) -> int:
        cpu = time.thread_time()  # waiting for the store's lock takes none
        try:
            return erase(now, limit, restart_wal, held, **flags)
        finally:  # the transaction itself; its wait for a guest's check-in is not part of it
            spent, ended = time.thread_time() - cpu, time.perf_counter()
            took = store.last_erase_seconds
            commit = ended - committing[0] if ended - committing[0] < took else 0.0
            transactions.append(
                Transaction(took, spent, ended, restart_wal, beside_a_guest, commit)
            )

    store.erase_expired_visits = timed_erase  # type: ignore[method-assign]
    done, purging = threading.Event(), threading.Event()
    alone: list[float] = []
    checkins: list[float] = []

    def guests() -> None:
        number = 0
        while not done.is_set():
            form = make_form(name=f"Guest {number}", email=f"g{number}@example.com")
            start = time.perf_counter()
            service.check_in(form, notice)
            (checkins if purging.is_set() else alone).append(time.perf_counter() - start)
            number += 1
            time.sleep(0.005)

    thread = threading.Thread(target=guests)
    if beside_a_guest:
        thread.start()
        time.sleep(ALONE_SECONDS)
    # What is here to stay is frozen, as ``kiosk run`` freezes its start-up (``keep_for_good``):
    # a full collection then walks what the kiosk made since, not this test process's objects
    # (the window benchmarks' and the aged stores' before it). The hub's bench does the same.
    gc.freeze()
    purging.set()
    start = time.perf_counter()
    with collections:
        retention.purge(store, spool, NOW, config.retention_days)
    took = time.perf_counter() - start
    gc.unfreeze()
    done.set()
    if beside_a_guest:
        thread.join()
    store.close()
    return took, transactions, checkins, alone


def _bare_delete_rate(path: Path, visits: int) -> float:
    """The floor: the same rows deleted by bare sqlite3, foreign keys off, in chunks of 5,000."""
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA secure_delete=ON")
    start = time.perf_counter()
    while ids := [r[0] for r in conn.execute("SELECT id FROM visits LIMIT 5000")]:
        marks = ",".join("?" * len(ids))
        conn.execute("BEGIN")
        conn.execute(f"DELETE FROM outbox WHERE visit_id IN ({marks})", ids)
        conn.execute(f"DELETE FROM visits WHERE id IN ({marks})", ids)
        conn.execute("COMMIT")
    conn.close()
    return visits / (time.perf_counter() - start)


# Rounds per size. The rate is the purge's alone, as its floor's is: beside it, the guest thread
# below (a check-in every 7 ms, holding the store ~1-2 ms each, ~140 a second, where a lobby
# sees one a minute) took a third of the rate on this 2-core machine (measured at 100,000:
# 128-134k visits/s alone, 80-96k beside it), and the ratio to the floor then measured the
# guest. What the guest meets is measured beside it: its p99 and the longest transaction (the
# rate beside it is printed too). A shared machine's noise only ever slows a run down, and one
# unlucky run could pass for the purge being slow: the median of three is the figure, the
# spread is printed beside it.
# One round of 1,000,000 beside a guest: beside one, the purge keeps its transactions to 1 ms
# and takes ~28 s for it (35-43k visits/s), ~4,000 check-ins for the p99; two kept `make bench`
# over its 10 minutes on a slow day.
ROUNDS_ALONE = {100_000: 3, 1_000_000: 3}
ROUNDS_BESIDE = {100_000: 3, 1_000_000: 1}
FLOOR_VISITS = 100_000


def purge_rounds() -> list[tuple[int, bool]]:
    """(visits, beside a guest) of each round, in the order they run. The sizes take turns and
    each round of the floor's size alone is followed by a round of the floor: a slow phase of
    the machine lasts seconds (one ``make bench`` ran all three 100,000 rounds, back to back in
    ~3 s, at 176-189k visits/s and 77 % of a floor measured later; 90-99 % in the other runs),
    and rounds spread over the minute put at most one of them in it, and the floor beside."""
    alone = [
        visits
        for number in range(max(ROUNDS_ALONE.values()))
        for visits, rounds in ROUNDS_ALONE.items()
        if number < rounds
    ]
    beside = [visits for visits, rounds in ROUNDS_BESIDE.items() for _ in range(rounds)]
    return [(visits, False) for visits in alone] + [(visits, True) for visits in beside]


@pytest.fixture
def aged(tmp_path: Path) -> Iterator[AgedStores]:
    stores = AgedStores(tmp_path / "aged", NOW)
    yield stores
    stores.remove()


def test_purge_at_any_age(tmp_path: Path, report: Report, aged: AgedStores) -> None:
    alone: dict[int, list[float]] = {visits: [] for visits in ROUNDS_ALONE}
    beside: dict[int, list[float]] = {visits: [] for visits in ROUNDS_BESIDE}
    floors: list[float] = []
    transactions: list[Transaction] = []
    waits, waits_alone = [], []
    collections = Collections()
    for round_number, (visits, beside_a_guest) in enumerate(purge_rounds()):
        folder = tmp_path / f"round-{round_number}"
        store = aged.copy(visits, folder)
        # The store is on disk before the purge starts, as a kiosk's month-old rows are: left
        # to the kernel's writeback (560 MB at 1,000,000 visits), it competed with the
        # purge's durable commits (one run's longest was 94 ms, 6-10 in the others; no cycle
        # collection ran during the purges). The hub's bench does the same.
        os.sync()
        took, round_transactions, checkins, checkins_alone = _purge(
            store, folder / "spool", collections, beside_a_guest
        )
        shutil.rmtree(folder)  # 560 MB at 1,000,000 visits
        (beside if beside_a_guest else alone)[visits].append(visits / took)
        transactions += round_transactions
        waits += checkins
        waits_alone += checkins_alone
        if visits == FLOOR_VISITS and not beside_a_guest:
            floor_folder = tmp_path / f"floor-{round_number}"
            floor_store = aged.copy(FLOOR_VISITS, floor_folder)
            os.sync()
            floors.append(_bare_delete_rate(floor_store, FLOOR_VISITS))
            shutil.rmtree(floor_folder)
    rates: dict[int, float] = {}
    for visits in ROUNDS_ALONE:
        rates[visits], spread = median_and_spread(alone[visits])
        report.row(f"purge {visits:,}", f"{rates[visits]:,.0f} visits/s", spread, "")
        rate_beside, spread = median_and_spread(beside[visits])
        report.row("  beside a guest every 7 ms", f"{rate_beside:,.0f} visits/s", spread, "")
    floor = statistics.median(floors)
    slowest = min(rates.values())
    report.result("purge_rows_per_s", slowest, "visits/s", goal=200_000, floor=floor, at_least=True)
    report.row("purge: 1,000,000 vs 100,000", f"{rates[100_000] / rates[1_000_000]:.2f}x", "", "")
    longest = max(transactions, key=lambda transaction: transaction.seconds)
    report.result("purge_longest_tx_ms", longest.seconds * 1000, "ms", goal=20.0)
    # A one-off (a stall of the machine's disk) and a purge whose chunks run long read alike in
    # the figure alone: 55 ms in 2 of 12 runs, every other transaction of those runs under 20.
    over = sum(1 for transaction in transactions if transaction.seconds > 0.020)
    report.row("  transactions over 20 ms", f"{over:,} of {len(transactions):,}", "", "")
    for row in _what_held_up(longest, collections):
        report.row(*row)
    pace_row(report)
    # Its floor: the same guest thread on the same stores in the second before each purge. The
    # goal is absolute; on a slow day a check-in alone may take most of it.
    alone_p99 = percentile(waits_alone, 0.99) * 1000
    beside_p99 = percentile(waits, 0.99) * 1000
    report.result("purge_concurrent_checkin_p99_ms", beside_p99, "ms", goal=5.0, floor=alone_p99)


def _what_held_up(longest: Transaction, collections: Collections) -> list[tuple[str, str, str]]:
    """Rows on the longest transaction: how much of it was its own work (CPU; the rest was
    waiting) and its COMMIT (mostly the disk's sync), whether the collector ran in its middle,
    whether it began by finishing a checkpoint and whether a guest was checking in beside it;
    then the collector's runs during all the purges."""
    during = collections.during(longest.ended - longest.seconds, longest.ended)
    collected = sum(end - start for start, end, _ in during)
    longest_run = max((end - start for start, end, _ in collections.runs), default=0.0)
    full = sum(1 for *_, generation in collections.runs if generation == 2)
    return [
        (
            "  longest: its CPU, its COMMIT, collector",
            f"{ms(longest.cpu_seconds)}, {ms(longest.commit_seconds)}, {ms(collected)}",
            ", ".join(
                what
                for what, was in (
                    ("after a checkpoint", longest.restarted_wal),
                    ("beside a guest", longest.beside_a_guest),
                )
                if was
            ),
        ),
        (
            "  collector during the purges",
            f"{len(collections.runs):,} runs, {full} full",
            f"longest {ms(longest_run)}",
        ),
    ]


def steady_growth(samples: list[list[float]]) -> float:
    """Resident memory's growth per 1,000 guests once the kiosk is warm: the least-squares slope
    of the samples from guest ``STEADY_FROM`` on. Counted from guest 50 by two points, the figure
    also held one-off steps of the first minutes: PySide6 makes its Python types for ~160 Qt
    classes the first time they pass (+1.8-2.2 MB, ~10 s into the soak, guest ~170), which a
    kiosk does once a process, not once a guest (4.2-5.2 MB by two points, ~2 by the slope)."""
    steady = [(guests, mb) for guests, _, mb in samples if guests >= STEADY_FROM]
    slope, _ = statistics.linear_regression(*zip(*steady, strict=True))
    return slope * 1000


def test_soak_accept_to_badge_and_memory(tmp_path: Path, report: Report) -> None:
    soak_command = [*CLI, "demo", "--json", "--guests", str(SOAK_GUESTS), "--out", str(tmp_path)]
    run = subprocess.run(
        soak_command,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "KIOSK_CONFIG": ""},
        check=True,
    )
    soak = json.loads(run.stdout.strip().splitlines()[-1])
    times, rss = soak["accept_to_badge_ms"], soak["rss_mb"]
    report.result("accept_to_badge_p95_ms", times["p95"], "ms", goal=50.0)
    report.result("rss_steady_mb", rss["end"], "MB", goal=150.0, floor=BARE_WINDOW_MB)
    report.result("rss_growth_mb_per_1000", steady_growth(rss["samples"]), "MB", goal=5.0)
    two_points = (rss["end"] - rss["warm"]) * 1000 / (SOAK_GUESTS - 50)
    report.row("  guests 50 to 1,050, two points", f"{two_points:.1f} MB", "", "")
    report.row("soak job process (printing, notify)", f"{rss['job_process']} MB", "", "")


BARE_WINDOW_MB = 72.0  # FACTS.md: a bare PySide6 window with one label, measured on this machine
CLI = [sys.executable, "-m", "kiosk"]
KIOSK_SCRIPT = str(Path(sys.executable).with_name("kiosk"))  # the console script pip installed
BARE = "import sqlite3, cryptography.hazmat.primitives.asymmetric.ed25519"


def stdlib_imports(importtime_log: str) -> list[str]:
    """The standard library's modules in a ``python -X importtime`` log, in the order they were
    imported (each once), leaving out names that cannot be imported here (another platform's)."""
    names: dict[str, None] = {}
    for line in importtime_log.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        name = line.rsplit("|", 1)[1].strip()
        if name.split(".")[0] in sys.stdlib_module_names and importlib.util.find_spec(name):
            names[name] = None
    return list(names)


def _median_run(command: list[str], rounds: int = 7) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


@pytest.mark.usefixtures("installed_bytecode")
def test_cli_start(tmp_path: Path, report: Report) -> None:
    checkin = [
        KIOSK_SCRIPT,  # as the issue names it: `kiosk checkin ... --json` (no runpy, ~2 ms)
        "--data-dir",
        str(tmp_path / "data"),
        "checkin",
        "--name",
        "Ada Lovelace",
        "--email",
        "ada@example.com",
        "--purpose",
        "meeting",
        "--accept-notice",
        "--json",
    ]
    subprocess.run(checkin, capture_output=True, check=True)  # the first run creates the store
    # A check-in's commit waits for the disk, the floor's imports do not: left to the kernel,
    # the soak's and the purges' writes before this test went out meanwhile and the check-in
    # paid for them (2.14x in one `make bench`, 1.65-1.72x run alone the same hour).
    os.sync()
    figure, floor = paired_medians(
        lambda: subprocess.run(checkin, capture_output=True, check=True),
        lambda: subprocess.run([sys.executable, "-c", BARE], capture_output=True, check=True),
        rounds=15,
    )
    report.result("cli_start_ratio", figure / floor, "x", goal=2.0, floor=floor * 1000)
    # The standard library's share: the floor importing every standard module the check-in
    # loads (as imported by this very run, argparse's and dataclasses' own included), before
    # any of the kiosk's own code runs.
    log = subprocess.run(
        [sys.executable, "-X", "importtime", *checkin], capture_output=True, check=True
    )
    stdlib = stdlib_imports(log.stderr.decode())
    needed = _median_run([sys.executable, "-c", f"{BARE}, {', '.join(stdlib)}"])
    report.row(
        f"cli: bare + the {len(stdlib)} stdlib modules it loads", f"{needed / floor:.2f}x", "", ""
    )
