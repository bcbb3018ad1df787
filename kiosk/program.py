"""The ``kiosk`` program: what the console script (``ui.program``) and ``python -m kiosk`` run.

Kept apart from ``kiosk.cli`` so that it runs before any of the core's modules are imported.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.cli import Registrar


def run(layers: Mapping[str, Registrar] | None = None) -> int:
    """Run the command in ``sys.argv`` in a process that ends when the command does; ``layers``
    as for ``kiosk.cli.main``.

    The cyclic collector is off while the command's modules are imported: they make tens of
    thousands of objects, all of which live until the process ends, and every collection the
    allocations trigger walks them again (34 collections, 2 of a ``kiosk checkin``'s 69 ms).
    ``main`` moves them out of the collector's sight and turns it back on before the command
    itself runs, so a long command (the window) collects its garbage as usual.
    """
    gc.disable()
    try:
        from kiosk.cli import main

        return main(as_program=True, layers=layers)
    finally:
        gc.enable()
