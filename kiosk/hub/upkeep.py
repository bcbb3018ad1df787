"""The hub's timed deletion in one call: visits and everything else past its time
(``HubService.purge``), and rights-request export data past its seven days."""

from __future__ import annotations

from datetime import datetime

from kiosk.hub.rights_desk import RightsDesk
from kiosk.hub.service import HubService


def purge_everything(service: HubService, at: datetime | None = None) -> dict[str, int]:
    counts = service.purge(at)
    counts["rights_exports"] = RightsDesk(service).purge(at)
    return counts
