from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.cli import main

CANARY = "Quentin Canarybird"


def kiosk(tmp_path: Path, *args: str) -> list[str]:
    return ["--data-dir", str(tmp_path / "data"), *args]


def checkin_args(*extra: str) -> list[str]:
    return ["checkin", "--name", CANARY, "--email", "q@example.com", "--purpose", "meeting", *extra]


def test_checkin_json_then_visits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(kiosk(tmp_path, *checkin_args("--accept-notice", "--json", "--lang", "en"))) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"visit_id", "purge_after", "notice_version"}
    assert main(kiosk(tmp_path, "visits", "--json")) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["visit_id"] == out["visit_id"] and row["name"] == CANARY
    assert "email" not in row
    assert main(kiosk(tmp_path, "visits", "--json", "--with-email", "--on-site")) == 0
    assert json.loads(capsys.readouterr().out)[0]["email"] == "q@example.com"


def test_checkin_without_accepting_the_notice_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(kiosk(tmp_path, *checkin_args())) == 2
    err = capsys.readouterr().err
    assert "not accepted the privacy notice" in err and "kiosk notice" in err
    assert not (tmp_path / "data").exists()


def test_invalid_input_is_one_clear_line_per_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(kiosk(tmp_path, *checkin_args("--accept-notice", "--email", "no", "--lang", "en")))
    assert code == 2
    err = capsys.readouterr().err
    assert err.strip() == "kiosk: email: Please check the address, e.g. name@example.com"
    assert main(kiosk(tmp_path, *checkin_args("--accept-notice", "--lang", "fr"))) == 2
    assert "choose one of zh-TW, en" in capsys.readouterr().err


def test_config_error_is_one_line_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "kiosk.toml"
    bad.write_text("[retention]\ndays = 999\n")
    assert main(["--config", str(bad), "visits"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "[retention] days = 999" in err and "Traceback" not in err


def test_purge_now_and_bad_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(kiosk(tmp_path, *checkin_args("--accept-notice"))) == 0
    capsys.readouterr()
    assert main(kiosk(tmp_path, "purge", "--json")) == 0
    assert json.loads(capsys.readouterr().out)["visits_erased"] == 0
    later = (datetime.now() + timedelta(days=31)).strftime("%Y-%m-%dT%H:%M")
    assert main(kiosk(tmp_path, "purge", "--now", later, "--json")) == 0
    assert json.loads(capsys.readouterr().out)["visits_erased"] == 1
    assert main(kiosk(tmp_path, "purge", "--now", "next tuesday")) == 2
    assert "ISO-8601" in capsys.readouterr().err


def test_notice_command_prints_the_current_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(kiosk(tmp_path, "notice", "--lang", "zh-TW")) == 0
    out = capsys.readouterr().out
    assert out.startswith("# notice version ") and "個人資料保護法" in out


def test_run_without_display_names_make_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main(kiosk(tmp_path, "run")) == 2
    err = capsys.readouterr().err
    assert "no display" in err and "make demo" in err


def test_done_when_end_to_end_through_real_processes(tmp_path: Path) -> None:
    """The issue's acceptance check: check in, purge after retention, the name is gone."""
    env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "data")}
    env.pop("KIOSK_CONFIG", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kiosk", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    checked_in = run(*checkin_args("--accept-notice", "--json"))
    assert checked_in.returncode == 0, checked_in.stderr
    purge_after = json.loads(checked_in.stdout)["purge_after"]
    database = tmp_path / "data" / "kiosk.db"
    assert CANARY.encode() in b"".join(p.read_bytes() for p in database.parent.glob("kiosk.db*"))
    after = (datetime.fromisoformat(purge_after) + timedelta(minutes=1)).isoformat()
    purged = run("purge", "--now", after, "--json")
    assert purged.returncode == 0, purged.stderr
    assert json.loads(purged.stdout)["visits_erased"] == 1
    leftovers = b"".join(p.read_bytes() for p in database.parent.glob("kiosk.db*"))
    assert CANARY.encode() not in leftovers
    assert b"q@example.com" not in leftovers


def test_assisted_check_in_with_the_notice_on_paper(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = kiosk(
        tmp_path,
        "checkin",
        "--name",
        "Paper Guest",
        "--email",
        "p@example.com",
        "--purpose",
        "meeting",
        "--notice-on-paper",
    )
    assert main(base) == 2
    assert "--staff" in capsys.readouterr().err
    assert main([*base, "--staff", "s-01", "--json"]) == 0
    visit_id = json.loads(capsys.readouterr().out)["visit_id"]
    from kiosk.store import Store

    store = Store(tmp_path / "data" / "kiosk.db")
    ack = store.acknowledgement(visit_id)
    store.close()
    assert ack is not None and (ack["given"], ack["recorded_by"]) == ("paper", "staff:s-01")


def test_the_program_keeps_its_imports_out_of_the_collectors_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A command's modules live until its process ends; the collection at exit need not walk
    them (8 of a check-in's 80 ms). A caller of ``main`` keeps everything collectable, and the
    program collects again once its command runs."""
    import gc

    from kiosk.program import run

    assert main(kiosk(tmp_path, "visits", "--json")) == 0
    assert gc.get_freeze_count() == 0
    assert json.loads(capsys.readouterr().out) == []
    monkeypatch.setattr(sys, "argv", ["kiosk", *kiosk(tmp_path, "visits", "--json")])
    try:
        assert run() == 0
        assert gc.get_freeze_count() > 1000
        assert gc.isenabled()
    finally:
        gc.unfreeze()
    assert json.loads(capsys.readouterr().out) == []


COUNT_COLLECTIONS = """
import gc, sys
collections = []
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(gc.get_freeze_count()))
from kiosk.program import run
del collections[:]
code = run()
print(sum(1 for frozen in collections if not frozen), gc.isenabled(), file=sys.stderr)
sys.exit(code)
"""


def test_the_program_imports_its_modules_without_collecting(tmp_path: Path) -> None:
    """The imports make tens of thousands of objects that live until the process ends; each
    collection they would trigger walks them again (34 of them, 2 of a check-in's 69 ms). The
    command itself runs with the collector on, but the imports' objects are frozen by then."""
    checkin = ["checkin", "--name", "Ada Lovelace", "--email", "ada@example.com", "--accept-notice"]
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            COUNT_COLLECTIONS,
            *kiosk(tmp_path, *checkin, "--purpose", "meeting"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    collections_before_freezing, enabled = done.stderr.split()
    assert (int(collections_before_freezing), enabled) == (0, "True")


HELP_WITHOUT_METADATA = """
import sys
from ui.program import run
sys.argv = ["kiosk", "--help"]
try:
    run()
except SystemExit:
    pass
print("importlib.metadata" in sys.modules, file=sys.stderr)
"""


def test_the_installed_program_names_its_layers_commands() -> None:
    """``kiosk run`` would otherwise import importlib.metadata (~30 ms) before the window opens,
    only to find the window's commands."""
    done = subprocess.run(
        [sys.executable, "-c", HELP_WITHOUT_METADATA], capture_output=True, text=True, check=True
    )
    assert done.stderr.strip() == "False"
    for command in ("run", "demo", "printers", "print-test", "checkin", "hub"):
        assert f"    {command} " in done.stdout


def test_python_m_kiosk_finds_the_same_commands_as_the_script() -> None:
    """``python -m kiosk`` finds the layers through their entry points; the script names them.
    Both must offer the same commands, in the same order."""
    script = Path(sys.executable).with_name("kiosk")
    by_name = subprocess.run([script, "--help"], capture_output=True, text=True, check=True)
    by_module = subprocess.run(
        [sys.executable, "-m", "kiosk", "--help"], capture_output=True, text=True, check=True
    )
    assert by_name.stdout == by_module.stdout
    assert "    run " in by_name.stdout


RUN_WITHOUT_DISPLAY = """
import sys
from ui.program import run
code = run()
loaded = [m for m in sys.modules if m.startswith(("kiosk.cli", "printers", "importlib.metadata"))]
print(code, *sorted(loaded), file=sys.stderr)
"""


def test_kiosk_run_loads_the_window_commands_alone(tmp_path: Path) -> None:
    """Everything ``kiosk run`` imports before the window opens delays Welcome; the core's own
    commands (check-in, badges, hosts, the hub ...) were ~30 ms of it."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = ""  # no display: the window command answers at once
    done = subprocess.run(
        [sys.executable, "-c", RUN_WITHOUT_DISPLAY, "--data-dir", str(tmp_path), "run"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "no display found" in done.stderr
    assert done.stderr.splitlines()[-1].split() == ["2", "kiosk.cli"]


def test_each_layer_word_is_a_command_of_its_group() -> None:
    """The installed program registers a layer's group by the command word asked for: a word
    its group does not add would be offered by help but refused when typed."""
    from argparse import ArgumentParser

    from ui.program import LAYERS

    for word, register in LAYERS.items():
        sub = ArgumentParser().add_subparsers()
        register(sub)
        assert word in sub.choices


WHAT_A_COMMAND_LOADS = """
import sys
from ui.program import run
sys.argv = ["kiosk", *sys.argv[1:]]
try:
    code = run()
except SystemExit as exit:
    code = exit.code
groups = [m for m in sys.modules if m.startswith("kiosk.cli_") and m != "kiosk.cli_args"]
print(code, "PIL" in sys.modules, *sorted(groups), file=sys.stderr)
"""


def _loads(*args: str) -> tuple[str, str, set[str]]:
    script = [sys.executable, "-c", WHAT_A_COMMAND_LOADS, *args]
    done = subprocess.run(script, capture_output=True, text=True, check=True)
    code, pillow, *groups = done.stderr.splitlines()[-1].split()
    return code, pillow, set(groups)


def test_a_command_imports_only_what_it_uses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pillow (~10 ms) is for reading badge images; a group's help needs that group alone; the
    version needs none. ``kiosk verify TOKEN`` and ``kiosk checkin --help`` loaded every group
    and Pillow (171 and 219 ms against a 51 ms floor; now 154 and 164)."""
    assert main(kiosk(tmp_path, *checkin_args("--accept-notice", "--json"))) == 0
    token = json.loads(capsys.readouterr().out)["badge_token"]
    assert _loads(*kiosk(tmp_path, "verify", token)) == ("0", "False", {"kiosk.cli_badges"})
    assert _loads(*kiosk(tmp_path, "keys", "export")) == ("0", "False", {"kiosk.cli_badges"})
    assert _loads("checkin", "--help") == ("0", "False", {"kiosk.cli_visits"})
    assert _loads("--version") == ("0", "False", set())
    code, _, every_group = _loads("--help")  # lists every command, as before
    assert code == "0" and {"kiosk.cli_hub", "kiosk.cli_badges", "kiosk.cli_visits"} <= every_group


@pytest.mark.parametrize("columns", ["60", "100"])
def test_help_fits_the_terminal_it_is_shown_on(
    columns: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``kiosk.cli`` tells argparse the terminal's width itself (argparse would import
    ``shutil`` at every argument to ask): help still wraps to it, for a command's own help too."""
    monkeypatch.setenv("COLUMNS", columns)
    for words in (["--help"], ["checkin", "--help"]):
        with pytest.raises(SystemExit):
            main(words)
        lines = capsys.readouterr().out.splitlines()
        assert lines and max(len(line) for line in lines) <= int(columns)
        assert max(len(line) for line in lines) > int(columns) - 25  # and it uses the room
