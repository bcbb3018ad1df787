"""The kiosk's side of the site's shared keys (the hub's side is ``kiosk.hub.site_keys``).

On enrolment and on every sync the kiosk takes the site's deny key and rights key from the hub
(into ``DATA_DIR/keys``, mode 0600), publishes its own badge public keys, and adds every other
kiosk's badge public keys to its ring, so a badge from another lobby of the site verifies here
and a deny entry made there matches here: nobody copies a key file by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.denylist import KEY_FILE as DENY_KEY_FILE
from kiosk.hub_client import HubClient
from kiosk.keys import KeyRing, merge_site_keys, write_private
from kiosk.logs import logger
from kiosk.records import record

log = logger(__name__)
RIGHTS_KEY_FILE = "rights.key"


@record(frozen=False)
class SiteKeysReport:
    deny_key_changed: bool = False
    badge_keys_added: int = 0


def fetch_site_secrets(client: HubClient, keys_dir: Path) -> tuple[SiteKeysReport, dict[str, Any]]:
    """Install the site's deny and rights keys from the hub; returns what the hub answered."""
    answer = client.get("/v1/site-keys")
    report = SiteKeysReport()
    deny = bytes.fromhex(str(answer["deny_key"]))
    report.deny_key_changed = install_key(keys_dir / DENY_KEY_FILE, deny)
    if report.deny_key_changed:
        log.warning(
            "this kiosk now uses the site's deny key %s from the hub; entries made here under "
            "an earlier key match only if that key is adopted (kiosk hub site-keys adopt)",
            answer.get("deny_key_id", "?"),
        )
    install_key(keys_dir / RIGHTS_KEY_FILE, bytes.fromhex(str(answer["rights_key"])))
    return report, answer


def share_site_keys(client: HubClient, keys_dir: Path, ring: KeyRing) -> SiteKeysReport:
    """Publish this kiosk's badge public keys, then take the site's keys and every badge key
    the other kiosks published (rotations included)."""
    own = [
        {key: entry.__dict__[key] for key in ("kid", "public_key", "created_at", "retired_at")}
        for entry in ring.entries
        if entry.source == "local"
    ]
    client.post("/v1/badge-keys", {"keys": own[-64:]}, f"badge-keys:{len(own)}")
    report, answer = fetch_site_secrets(client, keys_dir)
    report.badge_keys_added = merge_site_keys(ring, answer.get("badge_keys", []))
    return report


def rights_key(keys_dir: Path) -> bytes | None:
    """The site's rights key, once the hub has handed it over."""
    path = keys_dir / RIGHTS_KEY_FILE
    return bytes.fromhex(path.read_text().strip()) if path.exists() else None


def install_key(path: Path, key: bytes) -> bool:
    """Write a key file (mode 0600, whole or not at all); False if it already held this key."""
    if path.exists() and path.read_text().strip() == key.hex():
        return False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_private(path, key.hex().encode("ascii"), 0o600)
    return True
