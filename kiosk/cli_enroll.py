"""``kiosk enroll URL CODE``: join a hub with the one-time code ``kiosk hub add-kiosk`` printed,
instead of pasting a key into the config. The key the hub answers with is kept in
``DATA_DIR/hub.json`` (mode 0600), which the config reads when ``[hub] token`` is not set."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from kiosk.config import ENROLMENT_FILE, Config
from kiosk.config_checks import safe_transport
from kiosk.errors import UsageError


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    enroll = sub.add_parser("enroll", help="join a hub with a one-time code (no key to paste)")
    enroll.add_argument("url", help="the hub's address, e.g. https://hub.example:8470")
    enroll.add_argument("code", help="the code kiosk hub add-kiosk printed (valid 24 hours)")
    enroll.set_defaults(command=_enroll)


def _enroll(args: argparse.Namespace, config: Config) -> int:
    import requests

    url = str(args.url).rstrip("/")
    if not safe_transport(url):
        raise UsageError(f"{url}: use https://… (plain http only to this machine)")
    try:
        answer = requests.post(f"{url}/v1/enroll", json={"code": args.code}, timeout=(5, 15))
    except requests.RequestException as error:
        raise UsageError(
            f"the hub at {url} could not be reached ({type(error).__name__})"
        ) from None
    if answer.status_code == 403:
        raise UsageError("the hub does not know that code, or it was used or is over 24 hours old")
    if answer.status_code != 200:
        raise UsageError(f"the hub answered {answer.status_code}; nothing was changed")
    enrolled = answer.json()
    target = config.data_dir / ENROLMENT_FILE
    _write_private(target, {"url": url, **enrolled})
    print(
        f"enrolled as kiosk {enrolled['kiosk_id']} of site {enrolled['site']}; key kept in {target}"
    )
    if (config.site_name, config.kiosk_id) != (enrolled["site"], enrolled["kiosk_id"]):
        print(
            f"set [site] name = {enrolled['site']!r} and kiosk_id = {enrolled['kiosk_id']!r} in "
            "this kiosk's config: the hub accepts records of that site only"
        )
    return 0


def _write_private(path: Path, data: dict[str, str]) -> None:
    """Created with mode 0600 from the start; replaced whole, never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    os.replace(partial, path)
