"""``kiosk checkin`` loads only what a check-in uses (#17: a command starts in <= 2x a bare
``import sqlite3, cryptography...``): no ``dataclasses`` (``kiosk.records``) and no ``logging``
(``kiosk.logs``) unless something is logged, and then its lines look as they always did; no
``tomllib`` once its catalog's cache is written (``kiosk.asset_cache``), and neither ``csv`` nor
``random``, which only the host files and a failed job need; nor ``shutil``, which argparse
imports to size its help (``kiosk.cli`` tells it the terminal's width); nor ``hashlib``, which
loads a second OpenSSL beside cryptography's (``kiosk.digest``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = (
    "csv",
    "dataclasses",
    "hashlib",
    "hmac",
    "inspect",
    "logging",
    "random",
    "shutil",
    "tomllib",
)
PROGRAM = (
    "import sys; sys.argv = ['kiosk', *sys.argv[1:]]; from ui.program import run; code = run();"
    f" print(sorted(m for m in {HEAVY!r} if m in sys.modules)); sys.exit(code)"
)


def kiosk(
    data: Path, *words: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", PROGRAM, "--data-dir", str(data), *words]
    return subprocess.run(command, capture_output=True, text=True, check=check, env=env)


def checkin(data: Path, *extra: str, name: str = "Ada Lovelace") -> list[str]:
    return [
        *extra, "checkin", "--name", name, "--email", "ada@example.com", "--purpose", "meeting",
        "--accept-notice", "--json",
    ]  # fmt: skip


def test_a_check_in_imports_neither_dataclasses_nor_logging(tmp_path: Path) -> None:
    """As the benchmark times it and a tablet runs it: the store is there (the first run writes
    the signing key, and cryptography's key files import ``dataclasses`` themselves), and the
    first run left its catalog's cache, as it leaves bytecode (so not where
    PYTHONDONTWRITEBYTECODE is set, as on CI)."""
    as_a_tablet = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    kiosk(tmp_path, *checkin(tmp_path), env=as_a_tablet)
    run = kiosk(tmp_path, *checkin(tmp_path))
    *answer, loaded = run.stdout.strip().splitlines()
    assert '"visit_id"' in answer[0]
    assert loaded == "[]"
    assert run.stderr == ""


def test_a_refused_check_in_still_logs_its_warning_as_before(tmp_path: Path) -> None:
    """The deny list's warning loads logging at that line, with the program's format."""
    kiosk(tmp_path, "deny", "add", "--name", "Mallory Example", "--reason", "test")
    run = kiosk(tmp_path, *checkin(tmp_path, name="Mallory Example"), check=False)
    assert run.returncode != 0
    assert "WARNING kiosk.checkin: check-in refused by deny entry" in run.stderr
    assert "logging" in run.stdout


def test_verbose_shows_the_check_in_s_info_line(tmp_path: Path) -> None:
    run = kiosk(tmp_path, *checkin(tmp_path, "--verbose"))
    assert "INFO kiosk.checkin: visit " in run.stderr
    quiet = kiosk(tmp_path, *checkin(tmp_path))
    assert "INFO" not in quiet.stderr


def test_other_commands_set_logging_up_at_once(tmp_path: Path) -> None:
    """Their code (the window, the printers, the hub's libraries) logs through logging itself."""
    run = kiosk(tmp_path, "visits", "--json")
    assert "'logging'" in run.stdout.strip().splitlines()[-1]
