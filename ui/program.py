"""The installed ``kiosk`` program: the core's commands and those of the packages above it.

The core names neither the window nor the printers; ``python -m kiosk`` finds their commands
through the ``lobby_kiosk.commands`` entry points. That cost every ``kiosk run`` ~45 ms before
the window opened: ~30 to import importlib.metadata, and ~15 to load every core command group,
since ``run`` is not a core word. So the console script starts here, at the top of the layers,
where both can be named, each by the command words it adds.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from kiosk.program import run as run_program

if TYPE_CHECKING:  # kiosk.cli is imported by run_program, once the collector is off
    from argparse import ArgumentParser

    from kiosk.cli import SubParsers


def printer_commands(sub: SubParsers[ArgumentParser]) -> None:
    from printers.commands import register

    register(sub)


def window_commands(sub: SubParsers[ArgumentParser]) -> None:
    from ui.cli import register

    register(sub)


# Each command word of the layers and the group that adds it: ``kiosk run`` registers the
# window's commands alone. The printers first, as their entry points are ordered by name, so help
# lists the commands as ``python -m kiosk`` does.
LAYERS = {
    **dict.fromkeys(("printers", "print-test", "reprint", "evacuation"), printer_commands),
    **dict.fromkeys(("run", "demo"), window_commands),
}


def run() -> int:
    return run_program(LAYERS)


if __name__ == "__main__":  # the window process of ``kiosk run --supervise``
    sys.exit(run())
