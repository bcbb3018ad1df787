"""``kiosk invite`` and ``kiosk invitations``: expected visits, emailed with code and calendar."""

from __future__ import annotations

import argparse
from datetime import date, time

from kiosk import invitations
from kiosk.config import Config
from kiosk.errors import UsageError
from kiosk.i18n import Translator
from kiosk.notify import AppriseSender
from kiosk.site import Site
from kiosk.timeutil import from_db, utc_now
from kiosk.validation import ValidationError


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    invite = sub.add_parser("invite", help="expect a guest: email them a code and a calendar entry")
    invite.add_argument("--name", required=True)
    invite.add_argument("--email", required=True)
    invite.add_argument("--host", required=True, help="host id")
    invite.add_argument("--date", required=True, help="YYYY-MM-DD, site time")
    invite.add_argument("--from", dest="start", default="09:00", help="HH:MM (default 09:00)")
    invite.add_argument("--to", dest="end", default="18:00", help="HH:MM (default 18:00)")
    invite.add_argument(
        "--lang", help="language of the email: zh-TW or en (default: the host's, else the site's)"
    )
    invite.add_argument("--staff", default="desk", help="who invites, for the record")
    invite.set_defaults(command=_invite)
    listing = sub.add_parser(
        "invitations", help="expected visits in site time (codes and times, no names)"
    )
    listing.set_defaults(command=_list)


def _invite(args: argparse.Namespace, config: Config) -> int:
    try:
        day = date.fromisoformat(args.date)
        start, end = time.fromisoformat(args.start), time.fromisoformat(args.end)
    except ValueError:
        raise UsageError("use --date YYYY-MM-DD and --from/--to HH:MM") from None
    if args.lang and args.lang not in config.languages:
        raise UsageError(f"--lang {args.lang!r}: choose one of {', '.join(config.languages)}")
    tr = Translator(args.lang or config.default_language)
    now = utc_now()
    with Site.open(config) as site:
        store = site.store
        directory = site.directory
        try:
            invitation = invitations.create(
                store,
                config,
                directory,
                args.name,
                args.email,
                args.host,
                day,
                start,
                end,
                f"staff:{args.staff}",
                now,
            )
        except ValidationError as error:
            raise UsageError("; ".join(f"{k}: {v}" for k, v in error.errors.items())) from None
        except invitations.InvitationError as error:
            raise UsageError(tr(error.reason)) from None
        host = directory.get(invitation.host_id)
        host_language = host.language if host and host.language in config.languages else ""
        problem = invitations.send(
            invitation,
            config,
            host.name if host else invitation.host_id,
            AppriseSender(),
            config.spool_dir,
            args.lang or host_language or config.default_language,
            now,
        )
    on_day, from_time, to_time = invitations.window_text(invitation, config)
    print(f"invitation {invitation.code} for {on_day} {from_time}-{to_time} ({config.timezone})")
    if problem:
        print(f"not emailed ({problem}): give the guest the code yourself")
        return 1
    print("emailed to the guest with a QR code and a calendar entry")
    return 0


def _list(args: argparse.Namespace, config: Config) -> int:
    with Site.open(config) as site:
        store = site.store
        rows = store.invitations()
    for row in rows:
        state = f"used (visit {row['used_by_visit']})" if row["used_by_visit"] else "expected"
        start = from_db(row["starts_at"]).astimezone(config.zone)
        end = from_db(row["ends_at"]).astimezone(config.zone)
        print(f"{row['code']}  {start:%Y-%m-%d %H:%M}-{end:%H:%M}  host {row['host_id']}  {state}")
    if rows:
        print(f"times in {config.timezone}")
    if not rows:
        print("no invitations")
    return 0
