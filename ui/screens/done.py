"""Done: a clear "you're checked in", then back to Welcome by itself."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout

from ui.widgets import Screen, plain_label


class DoneScreen(Screen):
    finished = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("done")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 48, 80, 48)
        layout.addStretch(2)
        mark = plain_label("doneMark")
        mark.setText("✓")
        mark.setProperty("symbol", True)
        mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
        mark.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        layout.addWidget(mark, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(28)
        title = self.label("heroTitle", "done.title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        layout.addSpacing(12)
        body = self.label("subtitle", "done.body")
        body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(body)
        layout.addSpacing(40)
        self.again = self.button("secondary", "done.again")
        self.again.clicked.connect(self.finished)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.again)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(3)
