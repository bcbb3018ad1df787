"""The core's loggers, which load ``logging`` only when something is logged.

Why: ``import logging`` cost every ``kiosk`` command ~9 ms of its start on this machine (it
imports ``threading``, ``traceback``, ``string`` and ``weakref`` and compiles its format
patterns), and a check-in that goes well logs nothing. So a module asks for ``logger(__name__)``
at import, which costs nothing, and the first line it logs loads ``logging`` and the real logger
of that name: handlers, levels and pytest's ``caplog`` see the same names as before.

How lines are shown is the program's choice (``kiosk.cli`` calls ``show`` once per process). As
``logging`` keeps its configuration for the whole process, a choice made before it is loaded
waits here, for the process, until the first line.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

FORMAT = "%(levelname)s %(name)s: %(message)s"
_waiting: list[bool] = []  # ``show``'s verbose flag, until logging is loaded


def show(*, verbose: bool, at_first_line: bool = False) -> None:
    """Show the log lines at WARNING and above (all of them when ``verbose``) on stderr.
    ``at_first_line``: for a command whose every module logs through this one (``kiosk
    checkin``), set ``logging`` up only when one of them logs, if nothing has loaded it yet.
    Other commands run code that logs through ``logging`` itself (the window, the printers,
    the hub's libraries), so theirs is set up at once."""
    if at_first_line and "logging" not in sys.modules:
        _waiting[:] = [verbose]
    else:
        _configure(verbose)


def _configure(verbose: bool) -> None:
    import logging

    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format=FORMAT)


class Logger:
    """A ``logging.Logger`` of this name, made at the first line logged."""

    __slots__ = ("_logger", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._logger: logging.Logger | None = None

    def _real(self) -> logging.Logger:
        if self._logger is None:
            import logging

            if _waiting:
                _configure(_waiting.pop())
            self._logger = logging.getLogger(self.name)
        return self._logger

    def info(self, message: str, *args: object) -> None:
        if _waiting == [False] and "logging" not in sys.modules:
            return  # the waiting set-up shows WARNING and above: no need to load logging
        self._real().info(message, *args, stacklevel=2)

    def warning(self, message: str, *args: object) -> None:
        self._real().warning(message, *args, stacklevel=2)

    def error(self, message: str, *args: object) -> None:
        self._real().error(message, *args, stacklevel=2)

    def exception(self, message: str, *args: object) -> None:
        """As ``logging``'s: an error with the exception being handled, from an ``except``."""
        self._real().exception(message, *args, stacklevel=2)


def logger(name: str) -> Logger:
    return Logger(name)
