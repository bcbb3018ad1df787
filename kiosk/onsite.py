"""Who is on site now: the list staff check people out from, and the evacuation roll call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from kiosk.config import Config
from kiosk.hosts import HostDirectory, fold
from kiosk.hub_client import HubClient, HubUnavailableError
from kiosk.logs import logger
from kiosk.models import OnSite
from kiosk.store import Store
from kiosk.timeutil import from_db
from kiosk.tokens import short_code

log = logger(__name__)


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


def site_on_site(
    store: Store,
    directory: HostDirectory,
    now: datetime,
    hub_visits: Sequence[Mapping[str, Any]],
    query: str = "",
) -> list[OnSite]:
    """This kiosk's list merged with the hub's list for the whole site. What this kiosk knows
    wins (its own visits, check-outs not yet sent); a visitor whose name the site does not send
    to the hub is listed by the code printed on their badge."""
    people = on_site(store, directory, now, query)
    known = {row["visit_id"] for row in store.unsent_remote_checkouts()}
    known |= {person.visit_id for person in people}
    wanted = fold(query.strip())
    for row in hub_visits:
        visit_id = str(row["visit_id"])
        if visit_id in known or store.visit(visit_id) is not None:
            continue
        host = directory.get(str(row.get("host_id") or ""))
        host_name = host.name if host else str(row.get("host_id") or "")
        name = str(row.get("name") or f"#{short_code(visit_id)}")
        if wanted and wanted not in fold(name) and wanted not in fold(host_name):
            continue
        since = from_db(str(row["checked_in_at"]))
        minutes = max(0, int((now - since).total_seconds() // 60))
        people.append(OnSite(visit_id, name, host_name, str(row["kiosk_id"]), since, minutes))
    return sorted(people, key=lambda person: person.checked_in_at)


def hub_on_site(client: HubClient) -> list[dict[str, Any]]:
    """The site's on-site list across all its kiosks, as the hub holds it."""
    visits: list[dict[str, Any]] = client.get("/v1/onsite").get("visits", [])
    return visits


def people_on_site(
    store: Store, directory: HostDirectory, config: Config, now: datetime, query: str = ""
) -> list[OnSite]:
    """The whole site's list when the hub answers, this kiosk's own otherwise. Blocking network
    I/O: call it from a worker, never on the GUI thread."""
    if not config.hub_url:
        return on_site(store, directory, now, query)
    try:
        hub_visits = hub_on_site(HubClient(config.hub_url, config.hub_token))
    except HubUnavailableError as error:
        log.warning("on-site list from this kiosk only: %s", error)
        return on_site(store, directory, now, query)
    return site_on_site(store, directory, now, hub_visits, query)
