"""The printer commands of the ``kiosk`` CLI: ``printers``, ``print-test``, ``reprint`` and
``evacuation``.

The installed ``kiosk`` program names them (``ui.program``); ``python -m kiosk`` finds them through
the ``lobby_kiosk.commands`` entry point (``register``), so the core never names this package. The
work is in ``printers.cli``, imported only when one of these commands runs (Pillow and the printer
libraries are not needed to list staff).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.config import Config

SubParsers = argparse._SubParsersAction


def register(sub: SubParsers[argparse.ArgumentParser]) -> None:
    listing = sub.add_parser("printers", help="the configured printer and its status")
    listing.set_defaults(command=_list_printers)
    test = sub.add_parser("print-test", help="print a sample badge and report the result")
    test.add_argument("--printer", help="printer name (must match [printer] name)")
    test.add_argument("--label", help="label to print on, e.g. dk-11201")
    test.set_defaults(command=_print_test)
    reprint = sub.add_parser("reprint", help="print a visitor's badge again (audited as a reprint)")
    reprint.add_argument("code", help="badge token, 8-character code or visit id")
    reprint.add_argument("--staff", default="desk", help="staff id for the audit trail")
    reprint.set_defaults(command=_reprint)
    evacuation = sub.add_parser(
        "evacuation", help="the evacuation roll call as a PDF, printed on the page printer"
    )
    evacuation.add_argument("--out", type=Path, help="PDF file (default: in the spool folder)")
    evacuation.set_defaults(command=_evacuation)


def _list_printers(args: argparse.Namespace, config: Config) -> int:
    from printers.cli import list_printers

    return list_printers(args, config)


def _print_test(args: argparse.Namespace, config: Config) -> int:
    from printers.cli import print_test

    return print_test(args, config)


def _reprint(args: argparse.Namespace, config: Config) -> int:
    from printers.cli import reprint

    return reprint(args, config)


def _evacuation(args: argparse.Namespace, config: Config) -> int:
    from printers.cli import evacuation

    return evacuation(args, config)
