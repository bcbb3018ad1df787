"""``kiosk hub ...``: run and administer the reference hub.

The hub's libraries (FastAPI, uvicorn, SQLAlchemy, psycopg) are the ``hub`` extra; they are
imported only when a hub command runs, so a kiosk without them still starts.
"""

from __future__ import annotations

import argparse
import gc
import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.cli_args import now_option
from kiosk.cli_hosts import print_rejections, read_csv_file
from kiosk.cli_hub_common import HubUsageError, db_option, open_service, retention_option
from kiosk.cli_hub_rights import add_rights_commands
from kiosk.config import Config
from kiosk.hosts import parse_hosts_csv
from kiosk.plurals import how_many
from kiosk.timeutil import to_db, utc_now

if TYPE_CHECKING:
    from kiosk.hub.accounts import Accounts


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    hub = sub.add_parser("hub", help="the reference hub many kiosks sync to")
    actions = hub.add_subparsers(required=True, metavar="ACTION")

    serve = actions.add_parser("serve", help="serve the hub API (and purge on a timer)")
    db_option(serve)
    serve.add_argument("--port", type=int, default=8470)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--tls-cert", type=Path, help="certificate (PEM) to serve HTTPS")
    serve.add_argument("--tls-key", type=Path, help="private key (PEM) of the certificate")
    serve.add_argument("--purge-interval", type=float, default=3600.0, help="seconds; 0 = off")
    serve.add_argument(
        "--mail-url",
        default=os.environ.get("KIOSK_HUB_MAIL_URL", ""),
        help="apprise mailto(s):// URL for invitation emails (or $KIOSK_HUB_MAIL_URL)",
    )
    serve.add_argument(
        "--timezone",
        default=os.environ.get("KIOSK_HUB_TIMEZONE", "Asia/Taipei"),
        help="IANA zone the console shows times in (or $KIOSK_HUB_TIMEZONE)",
    )
    retention_option(serve)
    serve.set_defaults(command=_serve)

    migrate = actions.add_parser("migrate", help="create or upgrade the hub database")
    db_option(migrate)
    migrate.set_defaults(command=_migrate)

    add_kiosk = actions.add_parser("add-kiosk", help="register a kiosk and print its API key")
    db_option(add_kiosk)
    add_kiosk.add_argument("kiosk_id")
    add_kiosk.add_argument("--site", required=True)
    add_kiosk.set_defaults(command=_add_kiosk)

    revoke = actions.add_parser("revoke-kiosk", help="stop accepting a kiosk's key")
    db_option(revoke)
    revoke.add_argument("kiosk_id")
    revoke.set_defaults(command=_revoke_kiosk)

    purge = actions.add_parser("purge", help="delete hub records whose retention has ended")
    db_option(purge)
    purge.add_argument(
        "--now", help="act as if it were this ISO-8601 time (site time if no offset)"
    )
    retention_option(purge)
    purge.set_defaults(command=_purge)

    _add_user_commands(actions)
    add_rights_commands(actions)

    audit = actions.add_parser("audit", help="the console's audit trail")
    audit_actions = audit.add_subparsers(required=True, metavar="ACTION")
    verify = audit_actions.add_parser("verify", help="check that no entry was changed or removed")
    db_option(verify)
    verify.set_defaults(command=_audit_verify)

    hosts = actions.add_parser("import-hosts", help="load a site's host directory from CSV")
    db_option(hosts)
    hosts.add_argument("file", type=Path)
    hosts.add_argument("--site", required=True)
    hosts.set_defaults(command=_import_hosts)


def _add_user_commands(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Console accounts: ``add-user``, ``list-users``, ``remove-user``, ``reset-password``."""
    add = actions.add_parser("add-user", help="a web console account for one site")
    db_option(add)
    add.add_argument("login")
    add.add_argument("--site", required=True)
    add.add_argument("--role", required=True, help="admin, frontdesk, host or privacy")
    add.add_argument("--host-id", default="", help="for a host: whose guests they see")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.set_defaults(command=_add_user)
    listing = actions.add_parser("list-users", help="console accounts (never their passwords)")
    db_option(listing)
    listing.add_argument("--site", default="", help="only this site's")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(command=_list_users)
    remove = actions.add_parser("remove-user", help="delete a console account")
    db_option(remove)
    remove.add_argument("login")
    remove.set_defaults(command=_remove_user)
    reset = actions.add_parser("reset-password", help="a new password (lifts a lockout)")
    db_option(reset)
    reset.add_argument("login")
    reset.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    reset.set_defaults(command=_reset_password)


def _serve(args: argparse.Namespace, config: Config) -> int:
    service = open_service(args)
    if bool(args.tls_cert) != bool(args.tls_key):
        raise HubUsageError("give both --tls-cert and --tls-key, or neither")
    import uvicorn

    from kiosk.hub.api import create_app

    try:
        ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise HubUsageError(f"--timezone {args.timezone!r}: not a known time zone") from None
    app = create_app(
        service, purge_interval=args.purge_interval, mail_url=args.mail_url, timezone=args.timezone
    )
    # What start-up made (FastAPI, pydantic, SQLAlchemy, the routes: ~95,000 objects) lives as
    # long as the server. Left in the collector's sight, each full collection walked it all,
    # 20-70 ms with every request and the purge's transaction held up (beside a purge of
    # 1,000,000 visits, a kiosk's batch waited 95 ms).
    gc.freeze()
    print(f"hub listening on {args.host}:{args.port}", file=sys.stderr, flush=True)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        ssl_certfile=str(args.tls_cert) if args.tls_cert else None,
        ssl_keyfile=str(args.tls_key) if args.tls_key else None,
        log_level="warning",
        access_log=False,
    )
    return 0


def _migrate(args: argparse.Namespace, config: Config) -> int:
    service = open_service(args)
    print(f"hub database at schema {service.health()['schema']}")
    return 0


def _add_kiosk(args: argparse.Namespace, config: Config) -> int:
    service = open_service(args)
    try:
        token = service.add_kiosk(args.kiosk_id, args.site)
    except ValueError as error:
        raise HubUsageError(str(error)) from None
    print(token)
    print(
        f"kiosk {args.kiosk_id} (site {args.site}) registered. Put the key above in that kiosk's "
        "[hub] token or KIOSK_HUB_TOKEN; it is not shown again.",
        file=sys.stderr,
    )
    from kiosk.hub.enrolment import new_enrolment

    code = new_enrolment(service.engine, service.clock, args.kiosk_id, args.site)
    print(
        f"Or, without copying the key: on the kiosk run  kiosk enroll HUB-URL {code}\n"
        "(the code works once, within 24 hours; the key above then stops working)",
        file=sys.stderr,
    )
    _print_qr(code)
    return 0


def _print_qr(code: str) -> None:
    """The enrolment code as a QR in the terminal, for a kiosk with a camera to read."""
    import io

    import qrcode

    picture = qrcode.QRCode(border=2)
    picture.add_data(code)
    out = io.StringIO()
    picture.print_ascii(out=out, invert=True)
    print(out.getvalue(), file=sys.stderr)


def _revoke_kiosk(args: argparse.Namespace, config: Config) -> int:
    if not open_service(args).revoke_kiosk(args.kiosk_id):
        raise HubUsageError(f"no kiosk {args.kiosk_id!r} on this hub")
    print(f"kiosk {args.kiosk_id}: key revoked")
    return 0


def _purge(args: argparse.Namespace, config: Config) -> int:
    from kiosk.hub.upkeep import purge_everything

    counts = purge_everything(open_service(args), now_option(args.now, config.zone))
    print(json.dumps(counts))
    return 0


def _import_hosts(args: argparse.Namespace, config: Config) -> int:
    hosts, report = parse_hosts_csv(read_csv_file(args.file), config)
    if not print_rejections(report):
        return 2
    count = open_service(args).import_hosts(args.site, hosts)
    print(f"site {args.site}: {how_many(count, 'host')} imported")
    return 0


def _accounts(args: argparse.Namespace) -> Accounts:
    from kiosk.hub.accounts import Accounts

    return Accounts(open_service(args).engine, utc_now)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password (12 or more characters): ")
    if getpass.getpass("Same password again: ") != password:
        raise HubUsageError("the two passwords differ; nothing was changed")
    return password


def _add_user(args: argparse.Namespace, config: Config) -> int:
    from kiosk.hub.accounts import AccountError

    accounts = _accounts(args)
    try:
        user = accounts.add(
            args.login, args.site, args.role, _read_password(args.password_stdin), args.host_id
        )
    except AccountError as error:
        raise HubUsageError(str(error)) from None
    print(f"user {user.login} ({user.role}, site {user.site}) added")
    return 0


def _list_users(args: argparse.Namespace, config: Config) -> int:
    users = _accounts(args).users(args.site)
    rows = [{"login": u.login, "site": u.site, "role": u.role, "host_id": u.host_id} for u in users]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    else:
        for row in rows:
            host = f" (host {row['host_id']})" if row["host_id"] else ""
            print(f"{row['login']}  {row['site']}  {row['role']}{host}")
    return 0


def _remove_user(args: argparse.Namespace, config: Config) -> int:
    if not _accounts(args).remove(args.login):
        raise HubUsageError(f"no user {args.login!r} on this hub")
    print(f"user {args.login} removed")
    return 0


def _reset_password(args: argparse.Namespace, config: Config) -> int:
    from kiosk.hub.accounts import AccountError

    try:
        _accounts(args).reset_password(args.login, _read_password(args.password_stdin))
    except AccountError as error:
        raise HubUsageError(str(error)) from None
    print(f"user {args.login}: password changed")
    return 0


def _audit_verify(args: argparse.Namespace, config: Config) -> int:
    from kiosk.hub.audit_trail import check_in_full

    checked, broken = check_in_full(open_service(args).engine, to_db(utc_now()))
    if broken is not None:
        print(f"BROKEN at entry {broken}: it or one before it was changed or removed")
        return 1
    print(f"ok: {checked} entries, none changed or removed")
    return 0
