"""Staff: visitor numbers for the last two weeks, as bars, and a CSV for a spreadsheet.

Drawn from the anonymous counts only; nothing here names anyone.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from ui.style import theme
from ui.widgets import Screen, plain_label, set_accessible, set_text


class BarChart(QWidget):
    """Bars with their numbers written on them: readable without telling colours apart.

    Under each bar goes its label, or its short form where labels would run into each other
    (large text: "11-17" is wider than a bar's room at 200 %); if even those do not fit, every
    second (third ...) bar is labelled, counted back from the last one, today."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("chart")
        self.setMinimumHeight(300)
        self.bars: list[tuple[str, str, int]] = []  # (label, short label, count)
        colours = theme()
        self._bar, self._text = QColor(colours["primary"]), QColor(colours["text"])

    def set_bars(self, bars: Sequence[tuple[str, str, int]]) -> None:
        self.bars = list(bars)
        self.setAccessibleDescription(", ".join(f"{label}: {count}" for label, _, count in bars))
        self.update()

    def text_height(self) -> float:
        return QFontMetricsF(self.font()).height() + 8

    def labels(self) -> list[tuple[QRectF, str]]:
        """Where each label is drawn, none wider than its rectangle nor touching the next, all
        inside the chart: every label in full, else every short form, else every second
        (third ...) short form."""
        if not self.bars:
            return []
        full = [label for label, _, _ in self.bars]
        short = [short for _, short, _ in self.bars]
        tries = [(full, 1)] + [(short, every) for every in range(1, len(self.bars) + 1)]
        for forms, every in tries:
            placed = self._place(forms, every)
            if placed:
                return placed
        return []  # not even one label fits: the numbers and the spoken description remain

    def _place(self, forms: Sequence[str], every: int) -> list[tuple[QRectF, str]]:
        """Every ``every``-th label from the last, centred under its bar and kept inside the
        chart; empty if any two would come closer than two spaces."""
        metrics = QFontMetricsF(self.font())
        gap = metrics.horizontalAdvance("  ")
        width = max(metrics.horizontalAdvance(text) for text in forms)
        slot, height = self.width() / len(forms), self.text_height()
        placed: list[tuple[QRectF, str]] = []
        for index in range(len(forms) - 1, -1, -every):
            left = min(max((index + 0.5) * slot - width / 2, 0.0), self.width() - width)
            rect = QRectF(left, self.height() - height, width, height)
            if left < 0 or (placed and rect.right() + gap > placed[-1][0].left()):
                return []
            placed.append((rect, forms[index]))
        return placed

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.bars:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        label_h = self.text_height()
        slot = self.width() / len(self.bars)
        top = max(count for _, _, count in self.bars) or 1
        painter.setPen(self._text)
        for index, (_, _, count) in enumerate(self.bars):
            bar_h = (self.height() - 2 * label_h) * count / top
            rect = QRectF(
                index * slot + slot * 0.15, self.height() - label_h - bar_h, slot * 0.7, bar_h
            )
            painter.fillRect(rect, self._bar)
            above = QRectF(index * slot, rect.top() - label_h, slot, label_h)
            painter.drawText(above, Qt.AlignmentFlag.AlignCenter, str(count))
        for rect, text in self.labels():
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
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
        # MM-DD under each bar, or the day of the month where that does not fit
        self.chart.set_bars([(day[5:], str(int(day[8:])), count) for day, count in days])
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
