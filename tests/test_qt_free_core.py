"""The core and the printers must import, and work, on a machine without Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BLOCK_QT_AND_IMPORT_ALL = """
import importlib, importlib.abc, pkgutil, sys

class BlockQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6"):
            raise ImportError(f"{name} is blocked: the core must not need Qt")
        return None

sys.meta_path.insert(0, BlockQt())
count = 0
for package_name in ("kiosk", "printers"):
    package = importlib.import_module(package_name)
    for info in pkgutil.walk_packages(package.__path__, package_name + "."):
        if info.name.startswith("kiosk._assets") or info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
        count += 1
assert not any(m.startswith(("PySide6", "shiboken6")) for m in sys.modules)
print(count)
"""


def test_every_core_and_printer_module_imports_with_qt_blocked() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_QT_AND_IMPORT_ALL],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 15


def test_import_contracts_hold() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 kept, 0 broken" in done.stdout
