"""A kiosk store holding many queued sync jobs, as after a long outage, built in seconds."""

from __future__ import annotations

from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.store import Store
from kiosk.timeutil import utc_now
from kiosk.wire import new_visit_id
from tests.conftest import make_form


def queue_visits(store: Store, config: Config, count: int) -> None:
    """One real check-in, copied ``count - 1`` times in SQL: the outbox then holds ``count``
    sync jobs, as after a long outage (10,000 real check-ins would take minutes to set up)."""
    service = CheckinService(store, config)
    service.check_in(make_form(), service.current_notice("en"))
    already_queued = bool(store.pending_outbox("sync"))  # the check-in did, if a hub is set
    with store._transaction() as db:
        (first,) = db.execute("SELECT id FROM visits").fetchone()
        columns = [row[1] for row in db.execute("PRAGMA table_info(visits)")]
        others = ", ".join(c for c in columns if c != "id")
        for n in range(count):
            new = new_visit_id(utc_now()) if n else first
            if n:
                db.execute(
                    f"INSERT INTO visits (id, {others}) SELECT ?, {others} FROM visits WHERE id = ?",
                    [new, first],
                )
            if new == first and already_queued:
                continue
            db.execute(
                "INSERT INTO outbox (visit_id, kind, created_at, attempts, event) "
                "VALUES (?, 'sync', '2026-11-25T01:30:00.000000Z', 0, 'checkin')",
                [new],
            )
