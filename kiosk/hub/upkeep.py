"""The hub's timed deletion in one call: visits and everything else past its time
(``HubService.purge``), rights-request export data past its seven days, and console sessions
that ran out without being ended."""

from __future__ import annotations

from datetime import datetime

from kiosk.hub.rights_desk import RightsDesk
from kiosk.hub.service import HubService
from kiosk.hub.sessions import Sessions


def purge_everything(service: HubService, at: datetime | None = None) -> dict[str, int]:
    counts = service.purge(at)
    counts["rights_exports"] = RightsDesk(service).purge(at)
    counts["sessions"] = Sessions(service.engine, service.clock).end_expired(at or service.clock())
    return counts
