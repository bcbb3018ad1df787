"""Everything a kiosk exchanges with the hub after its own records are sent: the site's keys
(``kiosk.site_keys``), the shared lists (``kiosk.sync.exchange``), privacy requests made at the
hub (``kiosk.site_rights``) and a word about its own health for the admin's kiosk list."""

from __future__ import annotations

from datetime import datetime

from kiosk import __version__
from kiosk.config import Config
from kiosk.denylist import DenyList
from kiosk.hub_client import HubClient, HubRefusedError
from kiosk.keys import KeyRing
from kiosk.logs import logger
from kiosk.site_keys import rights_key, share_site_keys
from kiosk.site_rights import answer_rights_requests
from kiosk.store import Store
from kiosk.sync import ExchangeReport, exchange
from kiosk.timeutil import to_db

log = logger(__name__)


def share_with_site(
    store: Store,
    config: Config,
    client: HubClient,
    deny: DenyList,
    ring: KeyRing,
    now: datetime,
) -> ExchangeReport:
    """Raises ``HubUnavailableError`` if the hub cannot be reached; nothing local is lost. A
    hub that refuses only the newer exchanges (site keys, rights requests, the status report:
    a hub not yet upgraded) still gets the shared lists exchanged."""
    try:
        badge_keys = share_site_keys(client, config.keys_dir, ring).badge_keys_added
    except HubRefusedError as error:
        log.warning("site keys not exchanged: %s", error)
        badge_keys = 0
    report = exchange(store, config, client, deny.key_id, now)
    report.badge_keys_added = badge_keys
    try:
        report.rights_requests = answer_rights_requests(
            store, config, client, rights_key(config.keys_dir), now
        )
        status = {
            "version": __version__,
            "outbox": store.open_outbox_count("sync"),
            "clock": to_db(now),
        }
        client.post("/v1/status", status, f"status:{to_db(now)}")
    except HubRefusedError as error:
        log.warning("privacy requests or status not exchanged: %s", error)
    return report
