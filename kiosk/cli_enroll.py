"""``kiosk enroll URL CODE``: join a hub with the one-time code ``kiosk hub add-kiosk`` printed,
instead of pasting a key into the config (``kiosk.enrolment`` does the work)."""

from __future__ import annotations

import argparse

from kiosk.config import Config
from kiosk.enrolment import EnrolmentError, enrol
from kiosk.errors import UsageError


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    enroll = sub.add_parser("enroll", help="join a hub with a one-time code (no key to paste)")
    enroll.add_argument("url", help="the hub's address, e.g. https://hub.example:8470")
    enroll.add_argument("code", help="the code kiosk hub add-kiosk printed (valid 24 hours)")
    enroll.set_defaults(command=_enroll)


def _enroll(args: argparse.Namespace, config: Config) -> int:
    try:
        enrolled = enrol(args.url, args.code, config.data_dir, config.keys_dir)
    except EnrolmentError as error:
        raise UsageError(str(error)) from None
    print(
        f"enrolled as kiosk {enrolled.kiosk_id} of site {enrolled.site}; key kept in "
        f"{enrolled.saved_in}"
        + ("; the site's deny and rights keys fetched" if enrolled.keys_fetched else "")
    )
    if (config.site_name, config.kiosk_id) != (enrolled.site, enrolled.kiosk_id):
        print(
            f"set [site] name = {enrolled.site!r} and kiosk_id = {enrolled.kiosk_id!r} in "
            "this kiosk's config: the hub accepts records of that site only"
        )
    return 0
