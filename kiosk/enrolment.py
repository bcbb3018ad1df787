"""Joining a hub with the one-time code ``kiosk hub add-kiosk`` printed (the command line's
``kiosk enroll`` and the staff screen's "Join a hub" both use this): the code is traded once for
this kiosk's API key, kept in ``DATA_DIR/hub.json`` (mode 0600, read by the config when
``[hub] token`` is not set), and the site's deny and rights keys are fetched with it at once."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.config import ENROLMENT_FILE
from kiosk.config_checks import safe_transport
from kiosk.hub_client import HubClient, HubUnavailableError
from kiosk.keys import write_private
from kiosk.logs import logger
from kiosk.records import field, record
from kiosk.site_keys import fetch_site_secrets

log = logger(__name__)


class EnrolmentError(ValueError):
    """Why the kiosk did not join, in words for the person at the tablet; nothing changed."""


@record
class Enrolled:
    kiosk_id: str
    site: str
    saved_in: Path
    keys_fetched: bool
    url: str = ""
    token: str = field(default="", repr=False)  # for a running kiosk to start syncing at once


def enrol(url: str, code: str, data_dir: Path, keys_dir: Path) -> Enrolled:
    """Blocking network I/O: from a worker, never on the GUI thread."""
    import requests

    url = url.strip().rstrip("/")
    if not safe_transport(url):
        raise EnrolmentError(f"{url}: use https://… (plain http only to this machine)")
    try:
        answer = requests.post(f"{url}/v1/enroll", json={"code": code.strip()}, timeout=(5, 15))
    except requests.RequestException as error:
        raise EnrolmentError(
            f"the hub at {url} could not be reached ({type(error).__name__})"
        ) from None
    if answer.status_code == 403:
        raise EnrolmentError(
            "the hub does not know that code, or it was used or is over 24 hours old"
        )
    if answer.status_code != 200:
        raise EnrolmentError(f"the hub answered {answer.status_code}; nothing was changed")
    enrolled = answer.json()
    target = data_dir / ENROLMENT_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    write_private(target, json.dumps({"url": url, **enrolled}).encode("utf-8"), 0o600)
    try:
        fetch_site_secrets(HubClient(url, str(enrolled["token"])), keys_dir)
        fetched = True
    except HubUnavailableError as error:
        log.warning("site keys not fetched yet (%s); they come with the next sync", error)
        fetched = False
    return Enrolled(
        str(enrolled["kiosk_id"]),
        str(enrolled["site"]),
        target,
        fetched,
        url=url,
        token=str(enrolled["token"]),
    )
