"""The window commands of the ``kiosk`` CLI: ``run`` and ``demo``."""

from __future__ import annotations

import argparse
import os
import sys

from kiosk.config import Config


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
