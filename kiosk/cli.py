"""The ``kiosk`` command: a thin client of the core, and the place where its objects are built.

Errors a person can fix (bad config, bad input, no display) end with one clear line and exit
code 2, never a traceback. The window commands (``run``, ``demo``) and the printer commands live
in the packages above the core and are found as entry points, so the core never names them.
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from kiosk import __version__, logs
from kiosk.config import Config, ConfigError, load_config
from kiosk.errors import KeyRingError, UsageError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
COMMAND_GROUPS = "lobby_kiosk.commands"
Command = Callable[[argparse.Namespace, Config], int]
SubParsers = argparse._SubParsersAction  # argparse has no public name for it
Registrar = Callable[["SubParsers[argparse.ArgumentParser]"], None]  # adds a group of commands


def main(
    argv: Sequence[str] | None = None,
    *,
    as_program: bool = False,
    layers: Mapping[str, Registrar] | None = None,
) -> int:
    """Run one command. ``layers``: the command groups of the packages above the core (the
    window, the printers) by the command words they add, as the installed program names them
    (``ui.program``); without them they are found through their entry points."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = _parser(_registrars(words, layers))
    if as_program:
        _settle_imports()
    args = parser.parse_args(words)
    logs.show(verbose=args.verbose, at_first_line=getattr(args, "logs_at_first_line", False))
    try:
        config = load_config(args.config, args.data_dir)
        command: Command = args.command
        return command(args, config)
    except (ConfigError, UsageError, KeyRingError) as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.Error as error:
        print(f"kiosk: the database could not be used: {error}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:
        print(f"kiosk: {error.strerror or error}: {error.filename or ''}", file=sys.stderr)
        return EXIT_FAILED


def _settle_imports() -> None:
    """Move what the imports made (classes, functions, module dicts: it all lives until the
    process ends) out of the cyclic collector's sight, then let it run again (``kiosk.program``
    turned it off for the imports). Otherwise the collection at exit walks all of it: 8 of a
    ``kiosk checkin``'s 80 ms. Only for the program: a caller of ``main`` in its own process (the
    tests) keeps its own garbage collectable."""
    gc.freeze()
    gc.enable()


# Core groups whose bare form a layer above may take over (``kiosk staff`` opens the window).
OPEN_GROUPS = frozenset({"staff"})
_OPTIONS_WITH_VALUES = frozenset({"--config", "--data-dir"})


def _positional(words: Sequence[str]) -> list[str]:
    """The words that are not options: the first one names the command."""
    positional = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in _OPTIONS_WITH_VALUES:
            skip = True
        elif not word.startswith("-"):
            positional.append(word)
    return positional


def _registrars(words: Sequence[str], layers: Mapping[str, Registrar] | None) -> list[Registrar]:
    """The command groups that define the command asked for, so that ``kiosk checkin`` imports
    the visit commands alone and ``kiosk run`` the window's alone (Welcome is drawn sooner), and
    ``kiosk verify --help`` the badge commands alone. A bare group a layer takes over (``kiosk
    staff``) also needs the layers; ``kiosk --version`` needs no group; help without a command
    and unknown words need every group, so that every command is listed and offered. Each group
    once, in a fixed order, so help lists commands the same way every time."""
    positional = _positional(words)
    if not positional and "--version" in words and not {"-h", "--help"} & set(words):
        return []
    command = positional[0] if positional else ""
    if command in GROUPS:
        opened = command in OPEN_GROUPS and len(positional) == 1
        return [GROUPS[command], *(_layer_groups(layers) if opened else [])]
    if layers is not None and command in layers:
        return [layers[command]]
    return [*dict.fromkeys(GROUPS.values()), *_layer_groups(layers)]


def _layer_groups(layers: Mapping[str, Registrar] | None) -> list[Registrar]:
    return _installed_layers() if layers is None else list(dict.fromkeys(layers.values()))


def _terminal_columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it ($COLUMNS, else the width
    of the terminal standard output is on, else 80), without importing ``shutil``."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help formatter, given the terminal's width rather than asking ``shutil``:
    argparse makes one at every ``add_argument`` (to check its metavar), and importing
    ``shutil`` there (with ``bz2``, ``lzma`` and ``zlib``) was ~2.6 ms of every command."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        width = _terminal_columns() - 2 if width is None else width
        super().__init__(prog, indent_increment, max_help_position, width)


class _Parser(argparse.ArgumentParser):
    """The ``kiosk`` parser; its commands' parsers are made of the same class (argparse makes
    a subparser of its parent's type), so all of them format help with ``_HelpFormatter``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def _parser(groups: Iterable[Registrar]) -> argparse.ArgumentParser:
    parser = _Parser(prog="kiosk", description="Lobby Kiosk visitor check-in")
    parser.add_argument("--version", action="version", version=f"lobby-kiosk {__version__}")
    parser.add_argument("--config", type=Path, help="site config file (or $KIOSK_CONFIG)")
    parser.add_argument("--data-dir", type=Path, help="data directory (or $KIOSK_DATA_DIR)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    # Its parsers are ``_Parser``s, which the groups add commands to as ArgumentParsers.
    sub = cast(
        "SubParsers[argparse.ArgumentParser]",
        parser.add_subparsers(required=True, metavar="COMMAND"),
    )

    for register in groups:
        register(sub)
    return parser


def _visit_commands(sub: SubParsers[argparse.ArgumentParser]) -> None:
    from kiosk.cli_visits import add_commands

    add_commands(sub)


def _badge_commands(sub: SubParsers[argparse.ArgumentParser]) -> None:
    from kiosk.cli_badges import add_commands

    add_commands(sub)


def _host_commands(sub: SubParsers[argparse.ArgumentParser]) -> None:
    from kiosk.cli_hosts import add_commands

    add_commands(sub)


def _rights_commands(sub: SubParsers[argparse.ArgumentParser]) -> None:
    from kiosk.cli_rights import add_commands

    add_commands(sub)


def _staff_commands(sub: SubParsers[argparse.ArgumentParser]) -> None:
    from kiosk.cli_staff import add_commands

    add_commands(sub)


def _deny_commands(sub: SubParsers[argparse.ArgumentParser]) -> None:
    from kiosk.cli_deny import add_commands

    add_commands(sub)


def _invite_commands(sub: SubParsers[argparse.ArgumentParser]) -> None:
    from kiosk.cli_invite import add_commands

    add_commands(sub)


def _hub_commands(sub: SubParsers[argparse.ArgumentParser]) -> None:
    from kiosk.cli_hub import add_commands

    add_commands(sub)


def _enroll_commands(sub: SubParsers[argparse.ArgumentParser]) -> None:
    from kiosk.cli_enroll import add_commands

    add_commands(sub)


# Each command word of the core and the module that defines it. Only the group of the word asked
# for is imported (a command module pulls in its own libraries): ``kiosk checkin`` does not load
# the hub, QR decoding or the mail sender.
GROUPS: dict[str, Registrar] = {
    **dict.fromkeys(("checkin", "onsite", "visits", "purge", "audit", "notice"), _visit_commands),
    **dict.fromkeys(("keys", "verify", "checkout"), _badge_commands),
    **dict.fromkeys(("hosts", "outbox", "notify", "sync"), _host_commands),
    **dict.fromkeys(("rights", "notices"), _rights_commands),
    **dict.fromkeys(("staff", "report"), _staff_commands),
    **dict.fromkeys(("deny", "alerts"), _deny_commands),
    **dict.fromkeys(("invite", "invitations"), _invite_commands),
    "hub": _hub_commands,
    "enroll": _enroll_commands,
}


def _installed_layers() -> list[Registrar]:
    """Command groups of the layers above the core (the window, the printers), declared as
    ``lobby_kiosk.commands`` entry points in pyproject.toml, for ``python -m kiosk``: the core
    names none of them. importlib.metadata costs ~30 ms to import, so the installed ``kiosk``
    script names them itself (``ui.program``)."""
    from importlib.metadata import entry_points

    points = sorted(entry_points(group=COMMAND_GROUPS), key=lambda point: point.name)
    return [point.load() for point in points]
