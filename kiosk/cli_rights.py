"""CLI commands for the privacy officer: ``kiosk rights`` and ``kiosk notices``."""

from __future__ import annotations

import argparse
import json

from kiosk import rights
from kiosk.config import Config
from kiosk.errors import UsageError
from kiosk.notices import render_notice
from kiosk.plurals import how_many
from kiosk.site import Site
from kiosk.timeutil import utc_now
from kiosk.validation import ValidationError, validate_email_address


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rights_cmd = sub.add_parser("rights", help="answer a person's request: export or erase")
    rights_sub = rights_cmd.add_subparsers(required=True, metavar="ACTION")
    export = rights_sub.add_parser("export", help="everything held on a person (text, or --json)")
    erase = rights_sub.add_parser("erase", help="erase everything held on a person, now")
    for parser in (export, erase):
        parser.add_argument("--email", required=True, help="the person's email address")
        parser.add_argument("--staff", default="privacy-officer", help="who asks, for the audit")
    export.add_argument("--json", action="store_true")
    export.set_defaults(command=_export)
    erase.set_defaults(command=_erase)

    notices = sub.add_parser("notices", help="privacy notice versions")
    notices_sub = notices.add_subparsers(required=True, metavar="ACTION")
    show = notices_sub.add_parser("show", help="print the notice in force, or any version shown")
    show.add_argument("--version", dest="notice_version", help="a version from an acknowledgement")
    show.add_argument("--lang", help="zh-TW or en (for the notice in force)")
    show.set_defaults(command=_show_notice)


def checked_email(text: str) -> str:
    try:
        return validate_email_address(text)
    except ValidationError:
        raise UsageError(f"--email {text!r} is not an email address") from None


def _export(args: argparse.Namespace, config: Config) -> int:
    email = checked_email(args.email)
    with Site.open(config) as site:
        store = site.store
        exported = rights.export(store, config, email, utc_now(), f"staff:{args.staff}")
    print(
        json.dumps(exported, ensure_ascii=False, indent=2)
        if args.json
        else rights.as_text(exported)
    )
    return 0


def _erase(args: argparse.Namespace, config: Config) -> int:
    email = checked_email(args.email)
    with Site.open(config) as site:
        store = site.store
        receipt = rights.erase(store, config.spool_dir, email, utc_now(), f"staff:{args.staff}")
    invitations = (
        f" and {how_many(receipt.invitations, 'invitation')}" if receipt.invitations else ""
    )
    print(f"erased {how_many(receipt.visits, 'visit')}{invitations}; receipt {receipt.receipt}")
    return 0


def _show_notice(args: argparse.Namespace, config: Config) -> int:
    if args.notice_version:
        with Site.open(config) as site:
            store = site.store
            notice = store.notice(args.notice_version)
        if notice is None:
            raise UsageError(f"no notice version {args.notice_version!r} was ever shown here")
    else:
        language = args.lang or config.default_language
        if language not in config.languages:
            raise UsageError(f"--lang {language!r}: choose one of {', '.join(config.languages)}")
        notice = render_notice(config, language)
    print(f"# notice version {notice.version} ({notice.language})\n\n{notice.text}")
    return 0
