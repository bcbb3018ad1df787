"""A kiosk store grown old: many expired visits, each as a kiosk that printed and synced holds it
(checked out two hours after it came, its notice acknowledged, two outbox rows, finished), plus
their spooled badge files."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

from kiosk.store import Store
from kiosk.timeutil import to_db
from kiosk.wire import new_visit_id

BATCH = 10_000
MONTH = timedelta(days=30)  # the guests of one month ...
RETENTION = timedelta(days=30)  # ... each kept this long
VISIT = timedelta(hours=2)  # from check-in to check-out


def grow(path: Path, visits: int, expired_at: datetime, spool: Path | None = None) -> None:
    """``visits`` rows whose retention ended before ``expired_at``, written in bulk."""
    Store(path).close()  # the real schema, migrations included
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")  # building the fixture, not measuring it
    guests = month_of_check_ins(visits, expired_at - timedelta(days=1))
    spooled = []
    for start in range(0, visits, BATCH):
        rows = [
            (visit_id, f"Guest {start + n}", "guest@example.com", to_db(came), to_db(due),
             to_db(came + VISIT), to_db(came))
            for n, (visit_id, came, due) in enumerate(islice(guests, BATCH))
        ]  # fmt: skip
        with conn:
            conn.executemany(
                "INSERT INTO visits (id, site, kiosk_id, host_id, purpose, purpose_text, name, "
                "email, language, notice_version, checked_in_at, purge_after, company_id, "
                "checked_out_at, checkout_kind, acknowledged_at, notice_given, "
                "notice_recorded_by) VALUES (?, 'site', 'lobby-1', 'h-chen', 'meeting', '', ?, "
                "?, 'en', 'n1', ?, ?, '', ?, 'auto', ?, 'screen', 'guest')",
                rows,
            )
            conn.executemany(
                "INSERT INTO outbox (visit_id, kind, created_at, attempts, done_at, event) "
                "VALUES (?, ?, ?, 1, ?, 'checkin')",
                [(row[0], kind, row[3], row[5]) for row in rows for kind in ("print", "sync")],
            )
        spooled += [row[0] for row in rows[:: max(1, visits // 200)]]  # a few still spooled
    conn.close()
    _on_disk(path)  # an old store has long been written out; the purge must not pay for that
    if spool is not None:
        spool.mkdir(parents=True, exist_ok=True)
        for visit_id in spooled:
            (spool / f"badge-{visit_id}.png").write_bytes(b"png")


def month_of_check_ins(visits: int, last_due: datetime) -> Iterator[tuple[str, datetime, datetime]]:
    """(id, checked in, purge after) of ``visits`` guests who came evenly over a month, oldest
    first, the last due at ``last_due``, each id made as a kiosk makes it: the purge meets the
    ids a lobby's store holds, not ``v00000001`` onwards (with random version-4 ids, as kiosks
    made them until #17, the same purge ran 10x slower than the sequential ones had it)."""
    step = MONTH / visits
    first = last_due - RETENTION - step * (visits - 1)
    for number in range(visits):
        checked_in = first + step * number
        yield new_visit_id(checked_in), checked_in, checked_in + RETENTION


def _on_disk(path: Path) -> None:
    """Flush the freshly written file: otherwise the purge's first checkpoint, which syncs the
    database file, writes out the whole grown store (measured: one 18 ms checkpoint at 100,000
    visits, a check-in waiting 12-14 ms behind its sync)."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


class AgedStores:
    """Aged stores for the purge's rounds and its floor, each size grown once and copied for
    every round: growing 1,000,000 visits took 26 s, a copy under 1 s, and each round must start
    from an untouched store."""

    def __init__(self, root: Path, expired_at: datetime) -> None:
        self._root, self._expired_at = root, expired_at
        self._grown: dict[int, Path] = {}

    def copy(self, visits: int, folder: Path) -> Path:
        """``folder/kiosk.db`` holding ``visits`` expired visits, written out to disk, and their
        spooled badges in ``folder/spool``."""
        grown = self._grown.get(visits)
        if grown is None:
            grown = self._grown[visits] = self._root / f"aged-{visits}"
            grown.mkdir(parents=True)
            grow(grown / "kiosk.db", visits, self._expired_at, grown / "spool")
        assert not (grown / "kiosk.db-wal").exists()  # the file alone holds the store
        folder.mkdir()
        shutil.copyfile(grown / "kiosk.db", folder / "kiosk.db")
        shutil.copytree(grown / "spool", folder / "spool")
        _on_disk(folder / "kiosk.db")
        return folder / "kiosk.db"

    def remove(self) -> None:
        """Give their space back (~700 MB at 1,000,000 visits)."""
        for grown in self._grown.values():
            shutil.rmtree(grown)
