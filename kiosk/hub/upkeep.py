"""The hub's timed deletion in one call: visits and everything else past its time
(``HubService.purge``), rights-request export data past its seven days, console sessions that
ran out without being ended, and console audit entries past ``audit_days``; then the audit
chain is checked in full, for the console's audit page."""

from __future__ import annotations

import logging
from datetime import datetime

from kiosk.hub.audit_trail import check_in_full, purge_before
from kiosk.hub.rights_desk import RightsDesk
from kiosk.hub.service import HubService
from kiosk.hub.sessions import Sessions
from kiosk.wire import to_db

log = logging.getLogger(__name__)


def purge_everything(service: HubService, at: datetime | None = None) -> dict[str, int]:
    now = at or service.clock()
    counts = service.purge(now)
    counts["rights_exports"] = RightsDesk(service).purge(now)
    counts["sessions"] = Sessions(service.engine, service.clock).end_expired(now)
    kept = service.audit_kept
    counts["audit"] = purge_before(service.engine, to_db(now - kept), to_db(now)) if kept else 0
    _, first_bad = check_in_full(service.engine, to_db(now))
    if first_bad is not None:
        log.error("audit trail: entry %d does not follow from the one before", first_bad)
    return counts
