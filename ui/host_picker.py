"""Finding the host: a search field with a few large matches, or a short fixed list.

Search shows nothing until two characters are typed and at most five names, so the kiosk cannot be
used to browse the staff list. Matches float over the form (they do not push it around), are big
enough to tap, and open above the field when there is no room under it. The five proposals and
the note are made once and filled at each keystroke: made anew, their creation, styling and
deletion were most of a keystroke's time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
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
    QComboBox,
    QFrame,
    QPushButton,
    QStyle,
    QStyleOption,
    QStyleOptionButton,
    QWidget,
)

from kiosk.hosts import MAX_RESULTS, is_searchable
from kiosk.i18n import Translator
from kiosk.models import Host
from ui.style import theme
from ui.widgets import CardLineEdit, plain_label, set_accessible, set_placeholder

Search = Callable[[str], Sequence[Host]]
GAP = 4  # pixels between the field and its proposals
MARGIN = 6  # pixels between the frame's border and what it shows
SPACING = 4  # pixels between two proposals


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

    def __init__(self, text: str, field: HostSearch) -> None:
        super().__init__(text)
        self._field = field
        self._whole = text
        self._contents = QRect()  # where the style sheet puts its name: known once it is sized

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
            siblings = self._field.suggestions
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
            drawn = QPixmap(size * self.devicePixelRatioF())
            drawn.setDevicePixelRatio(self.devicePixelRatioF())
            painter = QPainter(drawn)
            # The card's colour for the corners, then the styled background and border as usual.
            painter.fillRect(self.rect(), self._surface)
            option = QStyleOption()
            option.initFrom(self)
            self.style().drawPrimitive(QStyle.PrimitiveElement.PE_Widget, option, painter, self)
            self.drawFrame(painter)
            painter.end()
            self._drawn[QSize(size)] = drawn
        return drawn


class HostSearch(CardLineEdit):
    """A line edit that proposes hosts as the guest types and remembers the one picked."""

    picked = Signal()

    def __init__(self, search: Search, overlay_parent: QWidget) -> None:
        super().__init__()
        self.setObjectName("host")
        self.setMaxLength(60)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self._search = search
        self._host_id = ""
        self._no_match_text = ""
        self._keep_typing_text = ""
        self._backdrop: QWidget | None = None
        # The frame floats in a holder of its own size that has no layout: shown or hidden in
        # the screen itself, which has one, it had the screen lay itself out again each time.
        self._holder = QWidget(overlay_parent)
        self._holder.resize(0, 0)  # nothing to cover (and no tap to catch) until it opens
        self._overlay_parent = overlay_parent
        self.results = ProposalFrame(self._holder)
        self._note = plain_label("why", self.results)
        self._proposals = [self._proposal(place) for place in range(MAX_RESULTS)]
        self._proposed: list[Host] = []
        self.results.hide()
        self.textEdited.connect(self._on_text_edited)

    def host_id(self) -> str:
        return self._host_id

    def set_backdrop(self, backdrop: QWidget) -> None:
        """The surface the proposals usually float over (the form's card), whose colour the
        frame's corners take while it lies inside the card's margins (the field itself lies on
        it always, see ``CardLineEdit``)."""
        self._backdrop = backdrop

    @property
    def suggestions(self) -> list[Suggestion]:
        """The proposals shown now, in order: one for each host proposed."""
        return self._proposals[: len(self._proposed)]

    def retranslate(self, tr: Translator) -> None:
        set_placeholder(self, tr("details.host_search_placeholder"))
        self._no_match_text = tr("details.host_no_match")
        self._keep_typing_text = tr("details.host_keep_typing")
        self.refit()

    def refit(self) -> None:
        """Open proposals filled and placed again, for new words or a new text size (their
        height changes, and so may the room above and below the field)."""
        if self.results.isVisible() and not self._host_id:
            self._show(self._search(self.text()), self.text())
            self._place_results()

    def clear_choice(self) -> None:
        """Forget the query, the pick and the proposals (nothing stays for the next guest)."""
        self._host_id = ""
        self.setText("")
        self._show([])
        self._close()

    def _on_text_edited(self, text: str) -> None:
        self._host_id = ""
        matches = self._search(text)
        self._show(matches, text)
        # A proposal, "no match", or (one Latin letter) "keep typing": typing always answers.
        # Placed before it shows: shown where it last was, then moved, the frame had Qt paint
        # the form beneath its old place again.
        if text.strip():
            self._place_results()
            self.results.show()
        else:
            self._close()

    def _proposal(self, place: int) -> Suggestion:
        button = Suggestion("", self)
        button.setParent(self.results)
        button.setObjectName("choice")
        button.setProperty("guestData", True)  # names come from the directory, not catalogs
        button.clicked.connect(lambda _checked=False: self._pick(self._proposed[place]))
        button.hide()
        return button

    def _show(self, matches: Sequence[Host], query: str = "") -> None:
        self._proposed = list(matches[: len(self._proposals)])
        if not self._proposed:
            self._note.setText(
                self._no_match_text if is_searchable(query) else self._keep_typing_text
            )
        self._note.setVisible(not self._proposed)
        for host, button in zip(self._proposed, self.suggestions, strict=True):
            button.show_host(host)
            button.show()
        for button in self._proposals[len(self._proposed) :]:
            button.hide()  # the frame is laid out when placed (``_place_results``)

    def choose(self, host: Host) -> None:
        self._pick(host)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Keyboard use: Enter takes the first proposal, Down moves into the proposals."""
        buttons = self.suggestions if self.results.isVisible() else []
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and buttons:
            buttons[0].click()
            return
        if event.key() == Qt.Key.Key_Down and buttons:
            buttons[0].setFocus()
            return
        super().keyPressEvent(event)

    def _place_results(self) -> None:
        """Under the field when the proposals fit there, else above it, and never partly out of
        sight: on a 1280 x 800 tablet only two and a half fit under the host field, and a guest
        cannot tap what the screen cuts off. The side is chosen for a full list, so the note and
        the proposals open on the same side and the list does not jump as the guest types.
        Where neither side has room for all (large text), the side with more room shows as many
        as fit, best first."""
        parent = self._overlay_parent
        height = self._lay_out_frame()
        seen = parent.visibleRegion().boundingRect()  # the part of the screen not scrolled away
        field = QRect(self.mapTo(parent, QPoint(0, 0)), self.size())
        room_below = seen.bottom() - field.bottom() - GAP
        room_above = field.top() - GAP - seen.top()
        below = self._full_height() <= room_below or room_below >= room_above
        height = self._trim_to(room_below if below else room_above, height)
        top = field.bottom() + 1 + GAP if below else field.top() - GAP - height
        # Its place and size in one step: resized where it was, then moved, the frame left a
        # stretch of the form beneath it to be painted again (a quarter of the window's width).
        place = QRect(field.left(), top, self.width(), height)
        # Lying on the card, the frame paints every pixel of its holder: neither is see-through.
        on_surface = self._on_backdrop(parent, place)
        self.results.lie_on_surface(on_surface)
        self._holder.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, on_surface)
        self._holder.setGeometry(place)
        self.results.setGeometry(0, 0, place.width(), place.height())
        self._holder.raise_()

    def _close(self) -> None:
        """The proposals gone, and their holder shrunk to nothing: left at its size, the empty
        holder would catch the taps meant for the form beneath it."""
        self.results.hide()
        self._holder.resize(0, 0)

    def _lay_out_frame(self) -> int:
        """The note or the proposals placed one under the other, as wide as the field; returns
        the frame's height around them. By hand, not by a layout. A layout laid out tells its
        widget's parent to lay itself out again (Qt's ``QLayout::activate``), and the screen
        beneath the frame did, and its scroller then measured every wrapped label on the form,
        over the next two or three rounds of events: ~13 % of a keystroke's instructions."""
        frame = self.results
        frame.ensurePolished()  # its border's width comes from the style sheet
        inner = frame.contentsRect()  # inside the border, at the frame's present size
        left, top = inner.left() + MARGIN, inner.top() + MARGIN
        border_right = frame.width() - 1 - inner.right()
        border_bottom = frame.height() - 1 - inner.bottom()
        room = self.width() - left - MARGIN - border_right
        y = top
        for widget in self.suggestions if self._proposed else [self._note]:
            height = widget.heightForWidth(room) if widget.hasHeightForWidth() else -1
            height = height if height >= 0 else widget.sizeHint().height()
            widget.setGeometry(left, y, room, height)
            y += height + SPACING
        return y - SPACING + MARGIN + border_bottom

    def _on_backdrop(self, parent: QWidget, place: QRect) -> bool:
        backdrop = self._backdrop
        if backdrop is None or not backdrop.isVisible():
            return False
        layout = backdrop.layout()
        inner = QRect(backdrop.mapTo(parent, QPoint(0, 0)), backdrop.size())
        if layout is not None:
            inner = inner.marginsRemoved(layout.contentsMargins())
        return inner.contains(place)

    def _full_height(self) -> int:
        """The frame's height with every proposal in it (they are all of one height)."""
        frame = self.results
        border = frame.height() - frame.contentsRect().height()
        count = len(self._proposals)
        return (
            border
            + 2 * MARGIN
            + count * self._proposals[0].sizeHint().height()
            + (count - 1) * SPACING
        )

    def _trim_to(self, room: int, height: int) -> int:
        """Drop proposals from the end until the rest fit in ``room`` pixels (one always stays);
        returns the frame's height then."""
        while len(self._proposed) > 1 and height > room:
            self._proposals[len(self._proposed) - 1].hide()
            self._proposed.pop()
            height = self._lay_out_frame()
        return height

    def _pick(self, host: Host) -> None:
        """Focus comes back to the field (which now reads the host's name) before the proposals
        go, so it never falls through to whatever widget Qt would pick next."""
        self._host_id = host.id
        self.setText(host.name)
        self.setFocus()
        self._close()
        self.picked.emit()


class HostList(QComboBox):
    """For a short, fixed list of hosts (``[directory] picker = "list"``)."""

    picked = Signal()

    def __init__(self, hosts: Sequence[Host]) -> None:
        super().__init__()
        self.setObjectName("host")
        for host in hosts:
            self.addItem(host.name, host.id)
        self.setCurrentIndex(-1)
        self.currentIndexChanged.connect(lambda _index: self.picked.emit())

    def host_id(self) -> str:
        return str(self.currentData() or "") if self.currentIndex() >= 0 else ""

    def retranslate(self, tr: Translator) -> None:
        set_placeholder(self, tr("details.host_placeholder"))

    def clear_choice(self) -> None:
        self.setCurrentIndex(-1)

    def choose(self, host: Host) -> None:
        self.setCurrentIndex(max(-1, self.findData(host.id)))
