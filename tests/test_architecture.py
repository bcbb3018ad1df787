"""The import-linter contracts in pyproject.toml name modules one by one; these tests make sure a
new module cannot slip past them unnamed (lint-imports itself runs in ``make lint``)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _contracts() -> dict[str, dict[str, Any]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["name"]: c for c in data["tool"]["importlinter"]["contracts"]}


def _modules(package: str) -> set[str]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__main__":
            continue
        found.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


KIOSK = _modules("kiosk") - {"kiosk"}
HUB = {m for m in KIOSK if m == "kiosk.hub" or m.startswith("kiosk.hub.")}
STORE = {m for m in KIOSK if m == "kiosk.store" or m.startswith("kiosk.store.")}
# The program (kiosk.program) runs the command line: it sits above it.
COMMANDS = {m for m in KIOSK if m in ("kiosk.cli", "kiosk.program") or m.startswith("kiosk.cli_")}


def _top(modules: set[str]) -> set[str]:
    """Packages are listed once (as_packages): kiosk.store stands for its modules."""
    return {m for m in modules if not m.startswith("kiosk.store.")}


# What a kiosk and the hub share: the wire between them, the roll-call sheet both print, the
# rules by which their words follow a count, background work giving way to someone waiting, a
# purge's WAL copied beside its deletes, the record classes both are made of, and the digests
# the wire's keyed hashes are made with.
SHARED_WITH_THE_HUB = {
    "kiosk.digest",
    "kiosk.wire",
    "kiosk.roll_sheet",
    "kiosk.text_fit",
    "kiosk.plurals",
    "kiosk.give_way",
    "kiosk.wal_copier",
    "kiosk.records",
}


def test_the_hub_may_import_what_it_shares_with_kiosks_and_nothing_else_of_the_core() -> None:
    name = "The hub imports from the core only what kiosks share with it: the wire, the roll-call sheet, plurals, giving way, copying a WAL beside a purge, records, digests"
    contract = _contracts()[name]
    assert set(contract["forbidden_modules"]) == _top(KIOSK - HUB - SHARED_WITH_THE_HUB)


def test_no_core_module_may_import_the_hub() -> None:
    contract = _contracts()["The core never imports the hub (only its command does)"]
    runs_every_command = {"kiosk.cli", "kiosk.program"}
    hub_commands = {m for m in COMMANDS if m in runs_every_command or m.startswith("kiosk.cli_hub")}
    expected = _top(KIOSK - HUB - hub_commands)
    assert set(contract["source_modules"]) == expected


def test_no_core_module_may_import_a_command() -> None:
    contract = _contracts()["Commands sit on top: no core module imports a command module"]
    assert set(contract["forbidden_modules"]) == COMMANDS
    assert set(contract["source_modules"]) == _top(KIOSK - HUB - COMMANDS - {"kiosk.wire"})


def test_every_printer_backend_is_kept_from_the_store() -> None:
    contract = _contracts()["Printer backends and page layouts never touch the store"]
    with_store = {"printers.jobs", "printers.worker", "printers.cli", "printers.commands"}
    assert set(contract["source_modules"]) == _modules("printers") - with_store
    assert set(contract["forbidden_modules"]) == STORE


def test_the_core_names_no_layer_above_it_even_as_text() -> None:
    """Reaching up by a string (importlib) hides an edge from import-linter."""
    for path in (ROOT / "kiosk").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in ('"ui.', "'ui.", '"printers.', "'printers.", "import_module("):
            assert name not in text, f"{path.relative_to(ROOT)} names {name}"


def test_core_commands_do_without_looking_up_the_installed_groups(tmp_path: Path) -> None:
    """Finding the entry points costs ~60 ms of every start: only help, the window and printer
    commands (and a bare ``kiosk staff``) pay it."""
    import subprocess
    import sys

    probe = (
        "import sys; from kiosk.cli import main; main(sys.argv[1:]); "
        "print(sorted(m for m in ('ui.cli', 'printers.commands') if m in sys.modules))"
    )

    def loaded(*words: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", probe, "--data-dir", str(tmp_path), *words],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip().splitlines()[-1]

    assert loaded("staff", "list") == "[]"
    assert loaded("visits") == "[]"
    assert loaded("printers") == "['printers.commands', 'ui.cli']"
