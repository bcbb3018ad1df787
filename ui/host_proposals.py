"""The host field's proposals: the buttons that show a proposed host, and the frame they float in.

Both draw themselves the cheap way when they can (a name on the frame's colour, the frame from a
pixmap drawn once per size): they are painted at every keystroke that changes what is proposed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QPushButton,
    QStyle,
    QStyleOption,
    QStyleOptionButton,
    QWidget,
)

from kiosk.hosts import MAX_RESULTS
from kiosk.models import Host
from ui.style import theme
from ui.widgets import on_surface, set_accessible


@lru_cache(maxsize=512)
def _fitted(text: str, font: QFont, room: int) -> str:
    """``text`` whole if it fits in ``room`` pixels, else as much as fits and an ellipsis.
    Remembered: as a guest types, the same few names are proposed keystroke after keystroke."""
    return QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, room)


class Suggestion(QPushButton):
    """One proposed host. Enter or Space picks it, as a tap does; Up and Down move between the
    proposals (Up from the first goes back to the search field). A name too long for the
    button ends in an ellipsis: cut off mid-letter (at large text), it read as another name.

    At rest a proposal is its name on the frame's own colour (its background and border are
    that colour too), so it draws just the name: through the style sheet, the five proposals'
    painting was 0.46 of the 1.6 ms keystroke that brings them up. With the focus (its ring) or
    held down, the style sheet draws it."""

    def __init__(self, field: QWidget, siblings: Callable[[], Sequence[Suggestion]]) -> None:
        super().__init__("")
        self._field = field  # where Up from the first proposal goes back to
        self._siblings = siblings  # the proposals shown, in order, this one among them
        self._whole = ""
        self._contents = QRect()  # where the style sheet puts its name: known once it is sized
        self._row_height = -1  # measured at first need, again after a change of style or font

    def show_host(self, host: Host) -> None:
        self._whole = host.name + (f"  ·  {host.department}" if host.department else "")
        set_accessible(self, host.name)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        contents = QStyle.SubElement.SE_PushButtonContents
        self._contents = self.style().subElementRect(contents, option, self)
        self._fit()

    def row_height(self) -> int:
        """Its height: one line of its font inside the style sheet's padding and border, whatever
        the name. Measured once: after each new name, ``sizeHint`` measured the text again (the
        third time, after ``_fit`` and before the paint), ~30 µs a proposal at each keystroke."""
        if self._row_height < 0:
            self._row_height = self.sizeHint().height()
        return self._row_height

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._row_height = -1
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.hasFocus() or self.isDown() or self._contents.isEmpty():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.setFont(self.font())
        painter.setPen(self.palette().color(QPalette.ColorRole.ButtonText))
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(self._contents, align, self.text())
        painter.end()

    def _fit(self) -> None:
        room = self._contents.width()
        text = _fitted(self._whole, self.font(), room) if room > 0 else self._whole
        if text != self.text():
            self.setText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.click()
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            siblings = self._siblings()
            index = siblings.index(self) + (1 if key == Qt.Key.Key_Down else -1)
            if index < 0:
                self._field.setFocus()
            elif index < len(siblings):
                siblings[index].setFocus()
            return
        super().keyPressEvent(event)


class ProposalFrame(QFrame):
    """The frame the proposals float in. Lying on the form's card, it paints every one of its
    pixels itself, its rounded corners in the card's colour, so Qt does not repaint the fields
    beneath it at each keystroke: that was a quarter of the keystroke that brings the proposals
    up over the name and email fields. (Seen through, the corners showed bits of a label.)"""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("hostResults")
        self._surface = QColor(theme()["surface"])
        self._drawn: dict[QSize, QPixmap] = {}

    def lie_on_surface(self, on_surface: bool) -> None:
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, on_surface)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent):
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.drawPixmap(event.rect(), self._whole(), event.rect())
        painter.end()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.PaletteChange):
            self._drawn.clear()  # a new text size: the border's radius grows with it
        super().changeEvent(event)

    def _whole(self) -> QPixmap:
        """The frame as it looks at its size: drawn once per size (a list of one to five
        proposals, or the note), then copied; its rounded border took ~0.15 ms to draw."""
        size = self.size()
        drawn = self._drawn.get(size)
        if drawn is None or drawn.devicePixelRatio() != self.devicePixelRatioF():
            if len(self._drawn) > 2 * MAX_RESULTS:
                self._drawn.clear()  # a bound: the width follows the window
            option = QStyleOption()
            option.initFrom(self)

            def styled(painter: QPainter) -> None:  # the background and border, as usual
                self.style().drawPrimitive(QStyle.PrimitiveElement.PE_Widget, option, painter, self)
                self.drawFrame(painter)

            drawn = on_surface(size, self.devicePixelRatioF(), self._surface, styled)
            self._drawn[QSize(size)] = drawn
        return drawn
