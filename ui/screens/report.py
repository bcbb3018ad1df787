"""Staff: visitor numbers for the last two weeks, as bars, and a CSV for a spreadsheet.

Drawn from the anonymous counts only; nothing here names anyone.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from ui.style import theme
from ui.widgets import Screen, plain_label, set_accessible, set_text


class BarChart(QWidget):
    """Bars with their numbers written on them: readable without telling colours apart."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("chart")
        self.setMinimumHeight(300)
        self.bars: list[tuple[str, int]] = []
        colours = theme()
        self._bar, self._text = QColor(colours["primary"]), QColor(colours["text"])

    def set_bars(self, bars: Sequence[tuple[str, int]]) -> None:
        self.bars = list(bars)
        self.setAccessibleDescription(", ".join(f"{label}: {count}" for label, count in bars))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.bars:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = self.width(), self.height()
        label_h = 36
        slot = width / len(self.bars)
        top = max(count for _, count in self.bars) or 1
        for index, (label, count) in enumerate(self.bars):
            bar_h = (height - 2 * label_h) * count / top
            rect = QRectF(index * slot + slot * 0.15, height - label_h - bar_h, slot * 0.7, bar_h)
            painter.fillRect(rect, self._bar)
            painter.setPen(self._text)
            above = QRectF(rect.left() - 10, rect.top() - label_h, rect.width() + 20, label_h)
            painter.drawText(above, Qt.AlignmentFlag.AlignCenter, str(count))
            below = QRectF(index * slot, height - label_h, slot, label_h)
            painter.drawText(below, Qt.AlignmentFlag.AlignCenter, label)
        painter.end()


class ReportScreen(Screen):
    back = Signal()
    export = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("report")
        self._status_id: str = ""
        self._status_values: dict[str, object] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 8, 64, 24)
        layout.setSpacing(10)
        layout.addWidget(self.label("title", "report.title"))
        layout.addWidget(self.label("subtitle", "report.intro"))
        self.chart = BarChart()
        self.bind(lambda tr: set_accessible(self.chart, tr("report.title")))
        layout.addWidget(self.chart, stretch=1)
        self.breakdown = plain_label("badgeDetail")
        self.breakdown.setProperty(
            "guestData", True
        )  # purpose names and numbers, not a catalog text
        layout.addWidget(self.breakdown)
        self.status = plain_label("status")
        layout.addWidget(self.status)
        self.back_button = self.button("secondary", "onsite.back")
        self.back_button.clicked.connect(self.back)
        self.export_button = self.button("primary", "report.export")
        self.export_button.clicked.connect(self.export)
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        self.bind(self._translate)

    def show_numbers(
        self, days: Sequence[tuple[str, int]], by_purpose: Sequence[tuple[str, int]]
    ) -> None:
        self.chart.set_bars([(day[5:], count) for day, count in days])  # MM-DD under each bar
        self.breakdown.setText("   ".join(f"{label} {count}" for label, count in by_purpose))

    def set_status(self, string_id: str, tr: Translator, **values: object) -> None:
        self._status_id, self._status_values = string_id, values
        self._translate(tr)

    def _translate(self, tr: Translator) -> None:
        set_text(self.status, tr(self._status_id, **self._status_values) if self._status_id else "")

    def reset(self) -> None:
        self._status_id, self._status_values = "", {}
        self.status.setText("")
        self.chart.set_bars([])
        self.breakdown.setText("")
