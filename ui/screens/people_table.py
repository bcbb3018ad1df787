"""The table of people on the staff screens: rows as tall as their wrapped text, and a word broken
only when it is wider than its whole column.

Qt's item views wrap between words only. At 200 % a quarter of the tablet's width is narrower than
a name such as "Christopherson", which then ran past its column's edge and was cut off. The
delegate lays each cell's text out itself (Qt's text layout, at word boundaries where it can and
inside a word where it must) and measures rows with that same layout, so a row is never a line
short of what it paints.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QSize
from PySide6.QtGui import QFont, QPainter, QPalette, QResizeEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QWidget,
)

Index = QModelIndex | QPersistentModelIndex
_TALL = 100_000  # a cell height no text reaches: measuring the padding around a cell's text


class PeopleTable(QTableWidget):
    """Rows grow to show every wrapped line whenever the table's width changes (a new text
    size, a window resize), so a long name is never cut."""

    def __init__(self, rows: int, columns: int, parent: QWidget | None = None) -> None:
        super().__init__(rows, columns, parent)
        self.setItemDelegate(WrappingDelegate(self))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resizeRowsToContents()


class WrappingDelegate(QStyledItemDelegate):
    """Paints a cell as the style does (background, tick box, lines) and its text as
    ``wrapped_lines`` breaks it; ``sizeHint`` asks for the height of those lines."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        cell = self._cell(option, index)
        text, cell.text = cell.text, ""
        style = _style(cell)
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, cell, painter, cell.widget)
        area = _text_area(style, cell)
        layout, height = _layout(text, cell.font, area.width())
        top = area.top() + max(0.0, (area.height() - height) / 2)
        painter.save()
        painter.setClipRect(cell.rect)
        painter.setPen(cell.palette.color(QPalette.ColorRole.Text))
        layout.draw(painter, QPointF(area.left(), top))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        hint = super().sizeHint(option, index)
        if option.rect.width() <= 0:  # asked for a natural width, not a height at a width
            return hint
        cell = self._cell(option, index)
        cell.rect = QRect(0, 0, option.rect.width(), _TALL)
        area = _text_area(_style(cell), cell)
        _, height = _layout(cell.text, cell.font, area.width())
        padding = _TALL - area.height()
        return QSize(hint.width(), max(hint.height(), round(height + padding + 0.5)))

    def text_width(self, option: QStyleOptionViewItem, index: Index) -> int:
        """The width a cell's text is laid out in, for ``option.rect`` the cell's."""
        cell = self._cell(option, index)
        return _text_area(_style(cell), cell).width()

    def _cell(self, option: QStyleOptionViewItem, index: Index) -> QStyleOptionViewItem:
        """A copy of ``option`` filled in for the cell at ``index`` (its text, font, tick)."""
        cell = QStyleOptionViewItem(option)
        self.initStyleOption(cell, index)
        return cell


def wrapped_lines(text: str, font: QFont, width: int) -> list[str]:
    """The lines ``text`` is shown in at ``width`` pixels (for tests and the curious)."""
    layout, _ = _layout(text, font, width)
    return [
        text[line.textStart() : line.textStart() + line.textLength()]
        for line in (layout.lineAt(number) for number in range(layout.lineCount()))
    ]


def _layout(text: str, font: QFont, width: int) -> tuple[QTextLayout, float]:
    """``text`` laid out in lines of at most ``width`` pixels, and the lines' total height. A
    newline ends a line, as in Qt's own item views (which hand delegates U+2028 for it)."""
    layout = QTextLayout(text.replace("\n", "\u2028"), font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    height = 0.0
    layout.beginLayout()
    while (line := layout.createLine()).isValid():
        line.setLineWidth(max(1, width))
        line.setPosition(QPointF(0, height))
        height += line.height()
    layout.endLayout()
    return layout, height


def _text_area(style: QStyle, cell: QStyleOptionViewItem) -> QRect:
    """Where the style puts a cell's text, less the margin it keeps on each side of it."""
    area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, cell, cell.widget)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, cell, cell.widget) + 1
    return area.adjusted(margin, 0, -margin, 0)


def _style(cell: QStyleOptionViewItem) -> QStyle:
    widget = cell.widget
    return widget.style() if widget is not None else QApplication.style()
