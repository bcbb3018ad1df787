"""``kiosk staff add NAME`` and ``kiosk staff list``: who may open staff mode on the kiosk."""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.config import Config
from kiosk.errors import UsageError
from kiosk.reports import last_days, report, to_csv
from kiosk.site import Site
from kiosk.staff import StaffError, add_staff
from kiosk.timeutil import utc_now


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    staff = sub.add_parser(
        "staff", help="open the staff window (front-desk PC), or manage staff with add/list"
    )
    staff.set_defaults(command=window)
    staff_sub = staff.add_subparsers(required=False, metavar="ACTION")
    add = staff_sub.add_parser("add", help="add a staff member or change their PIN")
    add.add_argument("name")
    add.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
    add.set_defaults(command=_add)
    listing = staff_sub.add_parser("list", help="list staff members (never their PINs)")
    listing.set_defaults(command=_list)

    numbers = sub.add_parser("report", help="visitor numbers from the anonymous counts")
    numbers.add_argument("--days", type=int, default=7, help="the last N days (default 7)")
    numbers.add_argument("--by", choices=("purpose", "department"), default="purpose")
    numbers.add_argument("--weekly", action="store_true", help="per ISO week instead of per day")
    numbers.add_argument("--csv", action="store_true", help="CSV for a spreadsheet")
    numbers.set_defaults(command=_report)


def window(args: argparse.Namespace, config: Config) -> int:
    """The staff screens in their own window. The window package replaces this command when it
    is installed (``ui.cli.register``); without it there is nothing to open."""
    raise UsageError("the staff window is not installed; use kiosk staff add|list or kiosk onsite")


def _read_pin(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().strip()
    pin = getpass.getpass("PIN (4-12 digits): ")
    if getpass.getpass("Same PIN again: ") != pin:
        raise UsageError("the two PINs differ; nothing was changed")
    return pin


def _add(args: argparse.Namespace, config: Config) -> int:
    pin = _read_pin(args.pin_stdin)
    with Site.open(config) as site:
        store = site.store
        try:
            staff_id = add_staff(store, args.name, pin, utc_now())
        except StaffError as error:
            raise UsageError(str(error)) from None
    print(f"staff member {staff_id} can now open staff mode")
    return 0


def _list(args: argparse.Namespace, config: Config) -> int:
    with Site.open(config) as site:
        store = site.store
        members = store.staff()
    for member in members:
        print(f"{member['id']}  {member['name']}")
    if not members:
        print("no staff yet: add one with 'kiosk staff add NAME'")
    return 0


def _report(args: argparse.Namespace, config: Config) -> int:
    if not 1 <= args.days <= 3660:
        raise UsageError("--days: from 1 to 3660")
    today = utc_now().astimezone(config.zone).date()
    first, last = last_days(today, args.days)
    with Site.open(config) as site:
        store = site.store
        rows = report(store, first, last, args.by, args.weekly)
    if args.csv:
        sys.stdout.write(to_csv(rows, args.by))
        return 0
    for row in rows:
        print(f"{row.period}  {row.key:<20} {row.count:>5}")
    print(f"{sum(r.count for r in rows)} visits, {first} to {last}")
    return 0
