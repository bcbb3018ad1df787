"""Run by test_binding_refcounts in a child process: a faulty binding kills the interpreter
(``none_dealloc``), which must fail one test, not the whole run. Prints one JSON line per setter:
``{"setter": name, "none_refs": change over CALLS calls}``. Needs nothing but PySide6."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

CALLS = 2_000


def setters(parent: QWidget) -> dict[str, Callable[[int], object]]:
    label, button, edit, box = QLabel(parent), QPushButton(parent), QLineEdit(parent), QCheckBox()
    pixmap = QPixmap.fromImage(QImage(8, 8, QImage.Format.Format_Grayscale8))
    return {
        "QLabel.setText": lambda n: label.setText(f"text {n % 7}"),
        "QAbstractButton.setText": lambda n: button.setText(f"button {n % 7}"),
        "QCheckBox.setText": lambda n: box.setText(f"copy {n % 7}"),
        "QLineEdit.setText": lambda n: edit.setText(f"edit {n % 7}"),
        "setPlaceholderText": lambda n: edit.setPlaceholderText(f"hint {n % 7}"),
        "setAccessibleName": lambda n: button.setAccessibleName(f"name {n % 7}"),
        "setAccessibleDescription": lambda n: edit.setAccessibleDescription(f"why {n % 7}"),
        "setWindowTitle": lambda n: parent.setWindowTitle(f"title {n % 7}"),
        "setProperty": lambda n: edit.setProperty("invalid", bool(n % 2)),
        "setPixmap": lambda n: label.setPixmap(pixmap if n % 2 else QPixmap()),
        "setVisible": lambda n: label.setVisible(bool(n % 2)),
        "setChecked": lambda n: box.setChecked(bool(n % 2)),
        "setEnabled": lambda n: button.setEnabled(bool(n % 2)),
        "setAlignment": lambda n: label.setAlignment(Qt.AlignmentFlag.AlignCenter),
        "QLabel.text": lambda n: label.text(),
    }


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    parent = QWidget()
    for name, setter in setters(parent).items():
        before = sys.getrefcount(None)
        for number in range(CALLS):
            setter(number)
        change = sys.getrefcount(None) - before
        print(json.dumps({"setter": name, "none_refs": change}), flush=True)
        # Give back what a faulty binding took, so the next setter is measured too.
        keep = [None] * max(0, -change)
        globals().setdefault("_kept", []).append(keep)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
