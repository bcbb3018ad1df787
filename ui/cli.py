"""The window commands of the ``kiosk`` CLI: ``run``, ``demo`` and the staff window.

The installed ``kiosk`` program names them (``ui.program``); ``python -m kiosk`` finds them through
the ``lobby_kiosk.commands`` entry point (``register``), so the core never names this package.
Importing this module loads no Qt: the window modules are imported only when a window command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kiosk.config import Config, production_problem
from kiosk.supervisor import supervise

SubParsers = argparse._SubParsersAction


def register(sub: SubParsers[argparse.ArgumentParser]) -> None:
    """Add ``run`` and ``demo``; make ``kiosk staff`` (with no action) open the staff window."""
    run_parser = sub.add_parser("run", help="open the kiosk window")
    run_parser.add_argument(
        "--supervise", action="store_true", help="restart the window within seconds if it crashes"
    )
    run_parser.set_defaults(command=run_or_supervise)
    demo_parser = sub.add_parser("demo", help="scripted offscreen check-ins; writes screenshots")
    demo_parser.add_argument("--out", type=Path, default=Path("demo-output"), help="output folder")
    demo_parser.add_argument(
        "--guests",
        type=int,
        default=0,
        metavar="N",
        help="soak: drive N guests through the window in one process and report timings",
    )
    demo_parser.add_argument(
        "--json", action="store_true", help="print the soak report as one JSON line"
    )
    demo_parser.set_defaults(command=demo)
    staff_parser = sub.choices.get("staff")
    if staff_parser is not None:
        staff_parser.set_defaults(command=staff)


def run_or_supervise(args: argparse.Namespace, config: Config) -> int:
    """A kiosk in lockdown or under the supervisor faces real visitors: not with the demo
    controller in its notice."""
    problem = production_problem(config) if config.lockdown or args.supervise else ""
    if problem:
        print(f"kiosk: {problem}", file=sys.stderr)
        return 2
    if not args.supervise:
        return run(args, config)
    command = [sys.executable, "-m", "ui.program"]  # the window starts as ``kiosk run`` does
    if args.config:
        command += ["--config", str(args.config)]
    if args.data_dir:
        command += ["--data-dir", str(args.data_dir)]
    return supervise([*command, "run"])


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def run(args: argparse.Namespace, config: Config) -> int:
    if not has_display():
        print(
            "kiosk: no display found, so the kiosk window cannot open. "
            "Run 'make demo' for an offscreen check-in that writes screenshots and a badge.",
            file=sys.stderr,
        )
        return 2
    from ui.start import run as run_app

    return run_app(config)


def staff(args: argparse.Namespace, config: Config) -> int:
    if not has_display():
        print(
            "kiosk: no display found, so the staff window cannot open. "
            "The staff commands work without one: kiosk onsite, kiosk evacuation, kiosk report.",
            file=sys.stderr,
        )
        return 2
    from ui.app import run_staff_window

    return run_staff_window(config)


def demo(args: argparse.Namespace, config: Config) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.guests > 0:
        return _soak(args, config)
    from ui.demo import run_demo

    written = run_demo(config, args.out)
    for path in written:
        print(path)
    return 0


def _soak(args: argparse.Namespace, config: Config) -> int:
    import json

    from ui.demo import soak_demo
    from ui.demo_tools import DemoError

    try:
        report = soak_demo(config, args.out, args.guests)
    except DemoError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 1
    summary = report.as_json()
    if args.json:
        print(json.dumps(summary))
    else:
        times, rss = summary["accept_to_badge_ms"], summary["rss_mb"]
        print(f"{report.guests} guests ({report.declined} declined): Accept to badge {times}")
        print(f"resident memory (MiB): {rss}")
    return 0
