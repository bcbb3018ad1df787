"""Demo values are for trying the kiosk out: marked as such, and refused where real visitors are."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load_config, production_problem
from kiosk.notices import render_notice


def _site(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_built_in_controller_is_a_demo_and_says_so_in_the_notice(tmp_path: Path) -> None:
    demo = load_config(env={}, data_dir=tmp_path)
    assert demo.demo and production_problem(demo)
    assert render_notice(demo, "en").text.startswith("**Demo configuration")
    assert render_notice(demo, "zh-TW").text.startswith("**示範設定")
    own = load_config(
        _site(
            tmp_path,
            '[controller]\nname = "Harbour Ltd."\nprivacy_contact = "dpo@harbour.example"\n',
        ),
        tmp_path,
        env={},
    )
    assert not own.demo and production_problem(own) == ""
    for language in ("en", "zh-TW"):
        text = render_notice(own, language).text
        assert "Demo Coworking" not in text and "Demo Road" not in text and "示範" not in text
        assert "Harbour Ltd." in text


@pytest.mark.parametrize(
    ("config_text", "arguments"),
    [
        ("[kiosk]\nlockdown = true\n", ["run"]),
        ('[controller]\nname = "Harbour Ltd."\n', ["run", "--supervise"]),  # contact missing
    ],
)
def test_lockdown_or_supervision_refuses_the_demo_controller_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config_text: str, arguments: list[str]
) -> None:
    config = _site(tmp_path, config_text)
    assert main(["--config", str(config), "--data-dir", str(tmp_path / "d"), *arguments]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert "[controller] name" in error and "[controller] privacy_contact" in error
    assert not (tmp_path / "d" / "kiosk.db").exists()  # refused before anything started


def test_the_supervised_window_starts_as_kiosk_run_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the installed program, which names the window's commands: ``python -m kiosk``
    would first import importlib.metadata and every core command (~45 ms before Welcome)."""
    import subprocess
    import sys

    import ui.cli

    started: list[list[str]] = []
    monkeypatch.setattr(ui.cli, "supervise", lambda command: started.append(command) or 0)
    own = '[controller]\nname = "Harbour Ltd."\nprivacy_contact = "dpo@harbour.example"\n'
    site = ["--config", str(_site(tmp_path, own)), "--data-dir", str(tmp_path / "d")]
    assert main([*site, "run", "--supervise"]) == 0
    assert started == [[sys.executable, "-m", "ui.program", *site, "run"]]
    env = {"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": ""}  # no display: it answers at once
    window = subprocess.run(started[0], capture_output=True, text=True, env=env, check=False)
    assert (window.returncode, window.stderr.split(":")[0]) == (2, "kiosk")
    assert "no display found" in window.stderr
