"""``kiosk hub rights …`` and ``kiosk hub site-keys …``: a person's request made once for the
whole site, and the site's shared keys (``kiosk.hub.rights_desk``, ``kiosk.hub.site_keys``)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.cli_hub_common import HubUsageError, db_option, open_service
from kiosk.cli_rights import checked_email
from kiosk.config import Config
from kiosk.plurals import how_many

if TYPE_CHECKING:
    from kiosk.hub.rights_desk import RequestStatus, RightsDesk


def add_rights_commands(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rights = actions.add_parser("rights", help="a person's export or erase, at every kiosk")
    verbs = rights.add_subparsers(required=True, metavar="ACTION")
    erase = verbs.add_parser("erase", help="erase a person's data at the hub and every kiosk")
    export = verbs.add_parser("export", help="collect a person's data from every kiosk")
    for parser in (erase, export):
        db_option(parser)
        parser.add_argument("--site", required=True)
        parser.add_argument("--email", required=True, help="the person's email address")
        parser.add_argument("--by", default="privacy-officer", help="who asks, for the audit")
    erase.add_argument("--json", action="store_true", help='print {"receipt": …}')
    erase.set_defaults(command=_erase)
    export.add_argument("--out", type=Path, required=True, help="where to write the JSON file")
    export.add_argument(
        "--wait", type=float, default=0, help="seconds to wait for the kiosks to answer"
    )
    export.set_defaults(command=_export)

    status = verbs.add_parser("status", help="which kiosks have carried out a request")
    db_option(status)
    status.add_argument("receipt")
    status.add_argument("--json", action="store_true")
    status.set_defaults(command=_status)

    download = verbs.add_parser("download", help="fetch an export once every kiosk answered")
    db_option(download)
    download.add_argument("receipt")
    download.add_argument("--out", type=Path, required=True)
    download.add_argument("--by", default="privacy-officer", help="who fetches, for the audit")
    download.set_defaults(command=_download)

    keys = actions.add_parser("site-keys", help="the keys a site's kiosks share through the hub")
    key_verbs = keys.add_subparsers(required=True, metavar="ACTION")
    adopt = key_verbs.add_parser(
        "adopt", help="make an existing kiosk's deny.key the site's deny key"
    )
    db_option(adopt)
    adopt.add_argument("--site", required=True)
    adopt.add_argument("--deny-key", type=Path, required=True, help="that kiosk's keys/deny.key")
    adopt.set_defaults(command=_adopt)


def _desk(args: argparse.Namespace) -> RightsDesk:
    from kiosk.hub.rights_desk import RightsDesk

    return RightsDesk(open_service(args))


def _erase(args: argparse.Namespace, config: Config) -> int:
    desk = _desk(args)
    receipt = desk.request(args.site, "erase", checked_email(args.email), args.by)
    status = desk.status(args.site, receipt)
    if args.json:
        print(json.dumps({"receipt": receipt, **status.as_json()}))
    else:
        print(f"receipt {receipt}: {_summary(status)}")
    return 0


def _export(args: argparse.Namespace, config: Config) -> int:
    desk = _desk(args)
    receipt = desk.request(args.site, "export", checked_email(args.email), args.by)
    deadline = time.monotonic() + max(0.0, args.wait)
    status = desk.status(args.site, receipt)
    while not status.complete and time.monotonic() < deadline:
        time.sleep(1)
        status = desk.status(args.site, receipt)
    if not status.complete:
        print(
            f"receipt {receipt}: {_summary(status)}\nthe kiosks answer on their next sync; then "
            f"run  kiosk hub rights download {receipt} --out {args.out}",
        )
        return 0
    _write(args.out, desk.download(args.site, receipt, args.by))
    print(f"receipt {receipt}: {_summary(status)}; written to {args.out}")
    return 0


def _status(args: argparse.Namespace, config: Config) -> int:
    from kiosk.hub.rights_desk import UnknownRequestError

    try:
        status = _desk(args).status("", args.receipt.strip().upper())
    except UnknownRequestError:
        raise HubUsageError(f"no rights request with receipt {args.receipt!r}") from None
    print(json.dumps(status.as_json()) if args.json else f"{status.receipt}: {_summary(status)}")
    return 0


def _download(args: argparse.Namespace, config: Config) -> int:
    from kiosk.hub.rights_desk import UnknownRequestError

    desk = _desk(args)
    receipt = args.receipt.strip().upper()
    try:
        status = desk.status("", receipt)
        if not status.complete:
            raise HubUsageError(f"{receipt}: still waiting ({_summary(status)})")
        exported = desk.download(status.site, receipt, args.by)
    except UnknownRequestError as error:
        raise HubUsageError(str(error) or f"no rights request with receipt {receipt}") from None
    _write(args.out, exported)
    print(f"{receipt}: written to {args.out}; the hub no longer holds it")
    return 0


def _adopt(args: argparse.Namespace, config: Config) -> int:
    from kiosk.hub.site_keys import adopt_deny_key

    service = open_service(args)
    try:
        text = args.deny_key.read_text(encoding="ascii")
        key_id = adopt_deny_key(service.engine, service.clock, args.site, text)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise HubUsageError(f"{args.deny_key}: {error}") from None
    print(
        f"site {args.site}: deny key {key_id} adopted; every kiosk of the site takes it on its "
        "next sync"
    )
    return 0


def _summary(status: RequestStatus) -> str:
    kiosks = ", ".join(f"{kiosk} {state}" for kiosk, state in status.kiosks.items())
    return f"{status.kind}, kiosks: {kiosks or 'none enrolled'}"


def _write(path: Path, exported: dict[str, Any]) -> None:
    """Personal data: readable by the privacy officer only."""
    from kiosk.keys import write_private

    body = json.dumps(exported, ensure_ascii=False, indent=2).encode("utf-8")
    write_private(path, body, 0o600)
    print(
        f"{path}: {how_many(sum(len(part) for part in exported['records'].values()), 'record')}",
        file=sys.stderr,
    )
