"""``kiosk deny add|list|remove`` and ``kiosk alerts``: the deny list and what it flagged."""

from __future__ import annotations

import argparse

from kiosk.cli_args import instant_option
from kiosk.config import Config
from kiosk.errors import UsageError
from kiosk.site import Site
from kiosk.timeutil import utc_now


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    deny = sub.add_parser("deny", help="people not to admit (stored as keyed hashes)")
    deny_sub = deny.add_subparsers(required=True, metavar="ACTION")
    add = deny_sub.add_parser("add", help="add an entry by name and/or email")
    add.add_argument("--name", default="")
    add.add_argument("--email", default="")
    add.add_argument("--reason", required=True, help="staff's own words; shown to staff only")
    add.add_argument("--expires", help="ISO-8601 date or time (site time if no offset)")
    add.add_argument("--staff", default="desk")
    add.set_defaults(command=_add)
    listing = deny_sub.add_parser("list", help="entries in force (reasons and dates, no names)")
    listing.set_defaults(command=_list)
    remove = deny_sub.add_parser("remove", help="remove an entry by id")
    remove.add_argument("deny_id")
    remove.set_defaults(command=_remove)

    alerts = sub.add_parser("alerts", help="what the deny list flagged for staff")
    alerts.add_argument("--seen", action="store_true", help="mark them as seen")
    alerts.set_defaults(command=_alerts)


def _add(args: argparse.Namespace, config: Config) -> int:
    expires = (
        instant_option("--expires", args.expires, config.zone, "2027-06-30")
        if args.expires
        else None
    )
    with Site.open(config) as site:
        try:
            deny_id = site.deny_list.add(
                args.name, args.email, args.reason, utc_now(), expires, f"staff:{args.staff}"
            )
        except ValueError as error:
            raise UsageError(str(error)) from None
    print(f"deny entry {deny_id} added")
    return 0


def _list(args: argparse.Namespace, config: Config) -> int:
    with Site.open(config) as site:
        store = site.store
        entries = store.deny_entries(utc_now())
    for entry in entries:
        matches = [k for k in ("name", "email") if entry[f"{k}_hash"]]
        until = entry["expires_at"] or "no expiry"
        print(f"{entry['id']}  by {'+'.join(matches)}  until {until}  {entry['reason']}")
    if not entries:
        print("the deny list is empty")
    return 0


def _remove(args: argparse.Namespace, config: Config) -> int:
    with Site.open(config) as site:
        store = site.store
        removed = store.remove_deny(args.deny_id, utc_now())
    if not removed:
        raise UsageError(f"no deny entry {args.deny_id!r}")
    print(f"deny entry {args.deny_id} removed")
    return 0


def _alerts(args: argparse.Namespace, config: Config) -> int:
    with Site.open(config) as site:
        store = site.store
        alerts = store.alerts()
        if args.seen:
            store.mark_alerts_seen(utc_now())
    for alert in alerts:
        visit = f" visit {alert['visit_id']}" if alert["visit_id"] else ""
        print(f"{alert['at']}  {alert['kind']}  deny entry {alert['deny_id']}{visit}")
    if not alerts:
        print("no new alerts")
    return 0
