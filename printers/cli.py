"""Printer commands of the ``kiosk`` CLI: ``printers``, ``print-test`` and ``reprint``.

They live with the printers (the core never imports them) and are loaded by name from
``kiosk.cli`` like the window commands are.
"""

from __future__ import annotations

import argparse
from datetime import datetime

import printers
from kiosk.checkout import CheckoutError
from kiosk.config import Config
from kiosk.errors import UsageError
from kiosk.i18n import Translator
from kiosk.models import BadgeContent
from kiosk.records import replace
from kiosk.rollcall import RollCall
from kiosk.site import Site
from kiosk.timeutil import utc_now
from printers.evacuation import roll_call_pdf
from printers.jobs import reprint as reprint_badge
from printers.labels import LABELS, label
from printers.pages import print_roll_call


class PrinterUsageError(UsageError):
    """Printed as one line, exit code 2."""


def _describe(config: Config) -> str:
    where = config.printer_target or config.printer_queue or str(config.spool_dir)
    return (
        f"{config.printer_name}: {config.printer_backend} → {where}, label {config.printer_label}"
    )


def list_printers(args: argparse.Namespace, config: Config) -> int:
    status = printers.create(config).status()
    print(f"{_describe(config)}  [{status}]")
    return 0 if status.startswith("ready") else 1


def sample_content(config: Config, now: datetime) -> BadgeContent:
    translators = [Translator(lang) for lang in config.languages]
    return BadgeContent(
        name="Sample Visitor 範例訪客",
        host_name="Front desk 櫃檯",
        date_text=now.astimezone(config.zone).strftime("%Y-%m-%d"),
        payload="LKB1:TEST-PRINT",  # deliberately not a valid badge
        short_code="TEST0000",
        site_name=config.site_name,
        visitor_label=" ".join(tr("printed.visitor") for tr in translators),
        host_label=" ".join(tr("printed.host") for tr in translators),
    )


def print_test(args: argparse.Namespace, config: Config) -> int:
    if args.printer and args.printer != config.printer_name:
        raise PrinterUsageError(
            f"--printer {args.printer!r}: the configured printer is {config.printer_name!r}"
        )
    if args.label:
        if args.label not in LABELS:
            raise PrinterUsageError(f"--label {args.label!r}: choose one of {', '.join(LABELS)}")
        config = replace(config, printer_label=args.label)
    result = printers.create(config).print(
        sample_content(config, utc_now()), label(config.printer_label), "test"
    )
    print(f"{_describe(config)}: {'printed' if result.ok else 'FAILED'} ({result.message})")
    return 0 if result.ok else 1


def reprint(args: argparse.Namespace, config: Config) -> int:
    with Site.open(config) as site:
        store = site.store
        now = utc_now()
        tokens = site.tokens
        try:
            visit = site.checkout.find(args.code)
        except CheckoutError as error:
            raise PrinterUsageError(Translator("en")(error.reason)) from None
        result = reprint_badge(
            store,
            config,
            printers.create(config),
            tokens,
            site.directory,
            visit.id,
            now,
            args.staff,
        )
    print(f"reprint of visit {visit.id}: {'printed' if result.ok else 'FAILED'} ({result.message})")
    return 0 if result.ok else 1


def evacuation(args: argparse.Namespace, config: Config) -> int:
    """Write the roll call of the whole site (the hub's list when it answers) as a PDF, and print
    it when the kiosk has a page printer."""
    with Site.open(config) as site:
        now = site.clock()
        people = site.on_site()
    roll_call = RollCall(now, people)
    if args.out:
        target = roll_call_pdf(roll_call, config, args.out)
        print(f"{len(people)} on site; roll call written to {target}")
        return 0
    outcome = print_roll_call(roll_call, config, now)
    where = f"roll call written to {outcome.path}"
    if outcome.kind == "printed":
        print(f"{len(people)} on site; {where} and printed on CUPS queue {outcome.queue}")
    elif outcome.kind == "failed":
        print(f"{len(people)} on site; {where}; CUPS queue {outcome.queue} did NOT print it")
        return 1
    else:
        print(f"{len(people)} on site; {where} (set [printer] pages_queue to print it)")
    return 0
