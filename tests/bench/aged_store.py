"""A kiosk store grown old: many expired visits, each as a kiosk that printed and synced holds it
(checked out at the end of its day, its notice acknowledged, two outbox rows, finished), plus
their spooled badge files."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.store import Store
from kiosk.timeutil import to_db

BATCH = 10_000


def grow(path: Path, visits: int, expired_at: datetime, spool: Path | None = None) -> None:
    """``visits`` rows whose retention ended before ``expired_at``, written in bulk."""
    Store(path).close()  # the real schema, migrations included
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")  # building the fixture, not measuring it
    moment = to_db(expired_at - timedelta(days=1))
    for start in range(0, visits, BATCH):
        ids = [f"v{n:08d}" for n in range(start, min(start + BATCH, visits))]
        with conn:
            conn.executemany(
                "INSERT INTO visits (id, site, kiosk_id, host_id, purpose, purpose_text, name, "
                "email, language, notice_version, checked_in_at, purge_after, company_id, "
                "checked_out_at, checkout_kind, acknowledged_at, notice_given, "
                "notice_recorded_by) VALUES (?, 'site', 'lobby-1', 'h-chen', 'meeting', '', ?, "
                "?, 'en', 'n1', ?, ?, '', ?, 'auto', ?, 'screen', 'guest')",
                [(i, f"Guest {i}", f"{i}@example.com", *[moment] * 4) for i in ids],
            )
            conn.executemany(
                "INSERT INTO outbox (visit_id, kind, created_at, attempts, done_at, event) "
                "VALUES (?, ?, ?, 1, ?, 'checkin')",
                [(i, kind, moment, moment) for i in ids for kind in ("print", "sync")],
            )
    conn.close()
    _on_disk(path)  # an old store has long been written out; the purge must not pay for that
    if spool is not None:
        spool.mkdir(parents=True, exist_ok=True)
        for n in range(0, visits, max(1, visits // 200)):  # a few badges still spooled
            (spool / f"badge-v{n:08d}.png").write_bytes(b"png")


def _on_disk(path: Path) -> None:
    """Flush the freshly written file: otherwise the purge's first checkpoint, which syncs the
    database file, writes out the whole grown store (measured: one 18 ms checkpoint at 100,000
    visits, a check-in waiting 12-14 ms behind its sync)."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())
