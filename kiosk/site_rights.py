"""Carry out the privacy requests made at the hub for the whole site (``kiosk hub rights …`` or
the console's privacy page), on this kiosk's next sync.

A request names the person only by a keyed hash of their address (the site's rights key); the
kiosk hashes its own stored addresses the same way to find their visits. An erase is done here
with the same guarantees as ``kiosk rights erase`` (files shredded, rows deleted, the WAL
truncated) and answered with the erased visit ids, so the hub erases its copies of them too; an
export is answered with the records. The ids of an erase are kept under the hub's receipt, so an
answer lost on the way is given again with the same ids.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kiosk import audit, rights
from kiosk.config import Config
from kiosk.hub_client import HubClient, HubUnavailableError
from kiosk.logs import logger
from kiosk.store import Store

log = logger(__name__)


def answer_rights_requests(
    store: Store, config: Config, client: HubClient, rights_key: bytes | None, now: datetime
) -> int:
    """Every request the hub holds for this kiosk; returns how many were answered."""
    if rights_key is None:
        return 0
    answered = 0
    for request in client.get("/v1/rights").get("requests", []):
        try:
            answered += _carry_out(store, config, client, rights_key, request, now)
        except HubUnavailableError as error:  # this one waits; the others still go
            log.warning("rights request %s not answered: %s", request.get("receipt"), error)
    return answered


def _carry_out(
    store: Store,
    config: Config,
    client: HubClient,
    rights_key: bytes,
    request: dict[str, Any],
    now: datetime,
) -> int:
    receipt, kind = str(request["receipt"]), str(request["kind"])
    person = rights.under_key(rights_key, str(request["email_hash"]))
    actor = "hub"
    if kind == "erase":
        local = f"hub:{receipt}"
        earlier = [r for r in store.erase_requests() if r["receipt"] == local]
        if earlier:  # erased before; the answer was lost
            ids = [str(i) for i in json.loads(earlier[0]["visit_ids"])]
        else:
            ids = [v.id for v in rights.matching_visits(store, person)]
            codes = [row["code"] for row in rights.matching_invitations(store, person)]
            rights.erase_visits(store, config.spool_dir, ids, local, now, actor, True, codes)
        client.post(f"/v1/rights/{receipt}", {"visit_ids": ids}, f"rights:{receipt}")
        return 1
    if kind == "export":
        visits = rights.matching_visits(store, person)
        records = [rights.visit_record(store, visit) for visit in visits]
        invited = rights.matching_invitations(store, person)
        records += [{"record": "invitation", **rights.invitation_record(row)} for row in invited]
        detail = rights.counts(len(visits), len(invited))
        audit.record(store, now, "export", actor, f"hub:{receipt}", detail)
        body = {"visit_ids": [v.id for v in visits], "records": records}
        client.post(f"/v1/rights/{receipt}", body, f"rights:{receipt}")
        return 1
    log.warning("rights request %s of an unknown kind %r left alone", receipt, kind)
    return 0
