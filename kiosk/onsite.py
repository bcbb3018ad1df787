"""Who is on site now: the list staff check people out from, and the evacuation roll call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.config import Config
from kiosk.hosts import HostDirectory, fold
from kiosk.store import Store


@dataclass(frozen=True)
class OnSite:
    visit_id: str
    name: str
    host: str
    kiosk_id: str
    checked_in_at: datetime
    minutes_on_site: int

    def local_time(self, config: Config) -> str:
        return self.checked_in_at.astimezone(config.zone).strftime("%H:%M")


def on_site(store: Store, directory: HostDirectory, now: datetime, query: str = "") -> list[OnSite]:
    """Everyone checked in and not out, longest on site first; ``query`` matches name or host."""
    wanted = fold(query.strip())
    people = []
    for visit in store.visits(on_site_only=True):
        host = directory.get(visit.host_id)
        host_name = host.name if host else visit.host_id
        if wanted and wanted not in fold(visit.name) and wanted not in fold(host_name):
            continue
        minutes = max(0, int((now - visit.checked_in_at).total_seconds() // 60))
        people.append(
            OnSite(visit.id, visit.name, host_name, visit.kiosk_id, visit.checked_in_at, minutes)
        )
    return people
