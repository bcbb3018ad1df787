"""CLI commands for the host directory and the outbox (``kiosk hosts|outbox|notify``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.config import Config
from kiosk.errors import UsageError
from kiosk.hosts import import_hosts
from kiosk.hub_client import HubClient, HubUnavailableError
from kiosk.notify import AppriseSender, deliver_due, deliver_visitor_copies
from kiosk.plurals import how_many
from kiosk.site import Site
from kiosk.site_sync import share_with_site
from kiosk.sync import drain, sync_once
from kiosk.timeutil import utc_now
from kiosk.wire import ImportReport, export_hosts_csv


class HostsUsageError(UsageError):
    """Printed as one line, exit code 2."""


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    hosts = sub.add_parser("hosts", help="the host directory")
    hosts_sub = hosts.add_subparsers(required=True, metavar="ACTION")
    import_cmd = hosts_sub.add_parser("import", help="add or update hosts from a UTF-8 CSV file")
    import_cmd.add_argument("file", type=Path)
    import_cmd.set_defaults(command=_hosts_import)
    export = hosts_sub.add_parser("export", help="write the directory as CSV to standard output")
    export.set_defaults(command=_hosts_export)
    listing = hosts_sub.add_parser("list", help="list hosts")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(command=_hosts_list)

    outbox = sub.add_parser("outbox", help="what is waiting to leave the kiosk, and why")
    outbox.add_argument("--json", action="store_true")
    outbox.set_defaults(command=_outbox)

    notify = sub.add_parser("notify", help="send due host notifications (and badge copies) now")
    notify.set_defaults(command=_notify)

    sync = sub.add_parser("sync", help="send check-ins, check-outs and erase requests to the hub")
    sync.add_argument("--once", action="store_true", help="one batch, then stop")
    sync.set_defaults(command=_sync)


def read_csv_file(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as error:
        raise HostsUsageError(f"{path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise HostsUsageError(f"{path}: not UTF-8 (save it as 'CSV UTF-8')") from None


def print_rejections(report: ImportReport) -> bool:
    """Say what is wrong with each rejected row; True if there was none (all or nothing)."""
    for line, reason in report.rejected:
        print(f"line {line}: rejected: {reason}", file=sys.stderr)
    if not report.ok:
        rows = len(report.rejected)
        needs = "needs" if rows == 1 else "need"
        print(f"nothing imported: {how_many(rows, 'row')} {needs} fixing", file=sys.stderr)
    return report.ok


def _hosts_import(args: argparse.Namespace, config: Config) -> int:
    text = read_csv_file(args.file)
    with Site.open(config) as site:
        store = site.store
        report = import_hosts(store, text, config)
    if not print_rejections(report):
        return 2
    print(f"added {report.added}, updated {report.updated}, rejected 0")
    return 0


def _hosts_export(args: argparse.Namespace, config: Config) -> int:
    with Site.open(config) as site:
        sys.stdout.write(export_hosts_csv(site.directory.active_and_inactive()))
    return 0


def _hosts_list(args: argparse.Namespace, config: Config) -> int:
    with Site.open(config) as site:
        hosts = site.directory.active_and_inactive()
    if args.json:
        rows = [
            {
                "id": h.id,
                "name": h.name,
                "department": h.department,
                "company": h.company_id,
                "active": h.active,
                "notify": list(h.notify),
                "language": h.language,
            }
            for h in hosts
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    for h in [] if args.json else hosts:
        state = "" if h.active else "  (inactive)"
        print(f"{h.id}  {h.name}  {h.department}  {h.company_id}{state}")
    return 0


def _outbox(args: argparse.Namespace, config: Config) -> int:
    with Site.open(config) as site:
        store = site.store
        rows = store.outbox_overview()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("outbox empty: nothing waiting to leave this kiosk")
    for row in rows:
        state = "given up" if row["done_at"] else f"next try {row['next_attempt_at'] or 'now'}"
        reason = row["last_error"] or "not tried yet"
        attempts = how_many(row["attempts"], "attempt")
        print(f"{row['kind']:<12} visit {row['visit_id']}  {attempts}, {state}: {reason}")
    return 0


def _notify(args: argparse.Namespace, config: Config) -> int:
    with Site.open(config) as site:
        store = site.store
        now = utc_now()
        directory = site.directory
        sender = AppriseSender()
        hosts = deliver_due(store, directory, config, sender, now)
        tokens = site.tokens
        copies = deliver_visitor_copies(store, config, sender, now, tokens.qr_png)
    print(
        f"sent {hosts.sent + copies.sent}, will retry {hosts.retrying + copies.retrying}, "
        f"gave up {hosts.gave_up + copies.gave_up}"
    )
    return 0


def _sync(args: argparse.Namespace, config: Config) -> int:
    if not config.hub_url:
        raise HostsUsageError("no hub configured: set [hub] url (and token) in the site config")
    client = HubClient(config.hub_url, config.hub_token)
    with Site.open(config) as site:
        store = site.store
        if args.once:
            total = sync_once(store, config, client, utc_now())
        else:
            total = drain(store, config, client, utc_now)
        print(
            f"sent {total.sent}, parked {total.parked}, will retry {total.retrying}, "
            f"erase requests {total.erase_requests}, check-outs of other kiosks' visits "
            f"{total.remote_checkouts}"
        )
        if total.retrying:
            return 1
        try:
            shared = share_with_site(store, config, client, site.deny_list, site.keys, utc_now())
        except HubUnavailableError as error:
            print(f"site lists not refreshed: {error}", file=sys.stderr)
            return 1
    # (deny entries made under another key are reported by kiosk.sync's own warning)
    print(
        f"from the hub: {how_many(shared.hosts, 'new or changed host')}, "
        f"{how_many(shared.deny_added, 'new deny entry', 'new deny entries')}, "
        f"{how_many(shared.checked_out_elsewhere, 'visit')} checked out at another kiosk, "
        f"{how_many(shared.badge_keys_added, 'new badge key')} of other kiosks, "
        f"{how_many(shared.rights_requests, 'privacy request')} carried out"
    )
    return 0
