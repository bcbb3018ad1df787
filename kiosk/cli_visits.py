"""The core's own visit commands: ``kiosk checkin``, ``onsite``, ``visits``, ``purge``,
``audit verify`` and ``notice``."""

from __future__ import annotations

import argparse
import json
import sys

from kiosk import audit
from kiosk.checkin import NoticeNotAcknowledgedError, SeeFrontDeskError
from kiosk.cli_args import now_option
from kiosk.config import Config
from kiosk.errors import UsageError
from kiosk.models import CheckinForm, Visit
from kiosk.notices import render_notice
from kiosk.site import Site
from kiosk.timeutil import to_db
from kiosk.validation import ValidationError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    checkin = sub.add_parser("checkin", help="check a visitor in without the screen")
    checkin.add_argument("--name", required=True)
    checkin.add_argument("--email", required=True)
    checkin.add_argument("--purpose", required=True, help="a configured purpose key")
    checkin.add_argument("--purpose-text", default="", help="free text, where the purpose allows")
    checkin.add_argument("--host", help="host id (default: the first configured host)")
    checkin.add_argument("--lang", help="zh-TW or en (default: the site's default language)")
    checkin.add_argument(
        "--accept-notice", action="store_true", help="the visitor read and accepted the notice"
    )
    checkin.add_argument(
        "--notice-on-paper",
        action="store_true",
        help="assisted check-in: staff gave the visitor the printed notice (needs --staff)",
    )
    checkin.add_argument("--staff", default="", help="staff id checking the visitor in")
    checkin.add_argument("--json", action="store_true")
    # Nothing a check-in runs logs but through kiosk.logs: logging loads at its first line.
    checkin.set_defaults(command=_checkin, logs_at_first_line=True)

    onsite = sub.add_parser("onsite", help="who is checked in and not out, with time on site")
    onsite.add_argument("--search", default="", help="part of a name or host")
    onsite.add_argument("--json", action="store_true")
    onsite.set_defaults(command=_onsite)

    visits = sub.add_parser("visits", help="list stored visits")
    visits.add_argument("--on-site", action="store_true", help="only visitors not checked out")
    visits.add_argument("--with-email", action="store_true", help="include email addresses")
    visits.add_argument("--json", action="store_true")
    visits.set_defaults(command=_visits)

    purge_cmd = sub.add_parser("purge", help="erase visits whose retention has ended")
    purge_cmd.add_argument(
        "--now", help="act as if it were this ISO-8601 time (site time if no offset)"
    )
    purge_cmd.add_argument("--json", action="store_true")
    purge_cmd.set_defaults(command=_purge)

    audit_cmd = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit_cmd.add_subparsers(required=True, metavar="ACTION")
    audit_verify = audit_sub.add_parser("verify", help="check that no entry was changed or removed")
    audit_verify.set_defaults(command=_audit_verify)

    notices = sub.add_parser("notice", help="print the privacy notice guests are shown now")
    notices.add_argument("--lang", help="zh-TW or en")
    notices.set_defaults(command=_notice)


def _language(config: Config, requested: str | None) -> str:
    language = requested or config.default_language
    if language not in config.languages:
        raise UsageError(f"--lang {language!r}: choose one of {', '.join(config.languages)}")
    return language


def _checkin(args: argparse.Namespace, config: Config) -> int:
    language = _language(config, args.lang)
    if args.notice_on_paper and not args.staff:
        raise UsageError("--notice-on-paper is for staff: add --staff ID")
    if not (args.accept_notice or args.notice_on_paper):
        raise UsageError(
            "refused: the visitor has not accepted the privacy notice, so nothing was stored. "
            "Show it with 'kiosk notice' and repeat with --accept-notice."
        )
    host = args.host or config.hosts[0].id
    form = CheckinForm(args.name, args.email, args.purpose, host, language, args.purpose_text)
    with Site.open(config) as site:
        try:
            service = site.checkin
            notice = service.current_notice(language)
            company_notice = service.company_notice(language, host)
            result = service.check_in(
                form,
                notice,
                company_notice,
                print_badge=False,
                assisted_by=args.staff,
                notice_on_paper=args.notice_on_paper,
            )
        except ValidationError as error:
            for field, message in sorted(error.errors.items()):
                print(f"kiosk: {field}: {message}", file=sys.stderr)
            return EXIT_USAGE
        except (NoticeNotAcknowledgedError, SeeFrontDeskError) as error:
            raise UsageError(error.message) from None
    visit = result.visit
    if args.json:
        print(
            json.dumps(
                {
                    "visit_id": visit.id,
                    "checked_in_at": to_db(visit.checked_in_at),
                    "purge_after": to_db(visit.purge_after),
                    "notice_version": visit.notice_version,
                    "badge_token": result.badge_token,
                }
            )
        )
    else:
        print(f"checked in: visit {visit.id}, kept until {to_db(visit.purge_after)}")
    return EXIT_OK


def _visits(args: argparse.Namespace, config: Config) -> int:
    with Site.open(config) as site:
        store = site.store
        visits = store.visits(on_site_only=args.on_site)
    rows = [_visit_summary(v, config, args.with_email) for v in visits]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        print("no visits stored")
    for row in rows:
        print("  ".join(str(value) for value in row.values()))
    return EXIT_OK


def _onsite(args: argparse.Namespace, config: Config) -> int:
    with Site.open(config) as site:
        people = site.on_site(args.search)  # the whole site's list when the hub answers
    rows = [
        {
            "visit_id": p.visit_id,
            "name": p.name,
            "host": p.host,
            "kiosk": p.kiosk_id,
            "since": p.local_time(config.zone),
            "minutes_on_site": p.minutes_on_site,
        }
        for p in people
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"{row['since']}  {row['name']}  → {row['host']}  ({row['minutes_on_site']} min)")
        print(f"{len(rows)} on site")
    return EXIT_OK


def _visit_summary(visit: Visit, config: Config, with_email: bool) -> dict[str, str]:
    row = {
        "visit_id": visit.id,
        "checked_in_at": visit.checked_in_at.astimezone(config.zone).isoformat(timespec="minutes"),
        "checked_out_at": to_db(visit.checked_out_at) if visit.checked_out_at else "",
        "host_id": visit.host_id,
        "purpose": visit.purpose,
        "name": visit.name,
    }
    if with_email:
        row["email"] = visit.email
    return row


def _purge(args: argparse.Namespace, config: Config) -> int:
    from kiosk.retention import purge  # here: a check-in does not pay for loading the purge

    now = now_option(args.now, config.zone)
    with Site.open(config) as site:
        store = site.store
        result = purge(
            store, config.spool_dir, now, config.retention_days, config.audit_retention_days
        )
    summary = {
        "visits_erased": result.visits_erased,
        "spool_files_removed": result.spool_files_removed,
        "ran_at": to_db(result.ran_at),
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"erased {result.visits_erased} visits and {result.spool_files_removed} badge files")
    return EXIT_OK


def _audit_verify(args: argparse.Namespace, config: Config) -> int:
    with Site.open(config) as site:
        store = site.store
        check = audit.verify(store)
    if check.ok:
        print(f"audit trail intact: {check.entries} entries")
        return EXIT_OK
    print(f"audit trail BROKEN at entry {check.first_bad} (of {check.entries})")
    return EXIT_FAILED


def _notice(args: argparse.Namespace, config: Config) -> int:
    notice = render_notice(config, _language(config, args.lang))
    print(f"# notice version {notice.version} ({notice.language})\n\n{notice.text}")
    return EXIT_OK
