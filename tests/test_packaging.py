"""An installed wheel must carry its assets and find them without the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("lobby_kiosk-*.whl")
    return built


def test_wheel_ships_assets_inside_the_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for asset in (
        "kiosk/_assets/styles/kiosk.qss",
        "kiosk/_assets/styles/theme.toml",
        "kiosk/_assets/notices/en.md",
        "kiosk/_assets/notices/zh-TW.md",
        "kiosk/_assets/locale/zh-TW.toml",
        "kiosk/_assets/icons/chevron-down.svg",
        "kiosk/_assets/fonts/README.md",
        "kiosk/_assets/printers/catalogue.toml",
        "kiosk/hub/templates/login.html",
        "kiosk/hub/static/console.css",
        "kiosk/hub/locale/zh-TW.toml",
        "kiosk/hub/common-passwords.txt",
    ):
        assert asset in names
    assert any(n.startswith("ui/") for n in names) and any(n.startswith("printers/") for n in names)
    # What a checkout's starts left beside the sources (bytecode, the catalogs' caches) stays out.
    assert not [n for n in names if "__pycache__" in n]
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    declared = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "kiosk = ui.program:run" in declared
    assert (
        "ui = ui.cli:register" in declared and "printers = printers.commands:register" in declared
    )


def test_installed_layout_resolves_its_own_assets(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path)
    probe = (
        "from kiosk import assets, notices, config;"
        "print(assets.root());"
        "print(notices.render_notice(config.load_config(env={}), 'zh-TW').version)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    root, version = done.stdout.split()
    assert Path(root) == tmp_path / "kiosk" / "_assets"
    assert len(version) == 16
