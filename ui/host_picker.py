"""Finding the host: a search field with a few large matches, or a short fixed list.

Search shows nothing until two characters are typed and at most five names, so the kiosk cannot be
used to browse the staff list. Matches float over the form (they do not push it around), are big
enough to tap, and open above the field when there is no room under it. The five proposals and
the note are made once and filled at each keystroke: made anew, their creation, styling and
deletion were most of a keystroke's time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QWidget

from kiosk.hosts import MAX_RESULTS, is_searchable
from kiosk.i18n import Translator
from kiosk.models import Host
from ui.host_proposals import ProposalFrame, Suggestion
from ui.widgets import CardLineEdit, plain_label, set_placeholder

Search = Callable[[str], Sequence[Host]]
GAP = 4  # pixels between the field and its proposals
MARGIN = 6  # pixels between the frame's border and what it shows
SPACING = 4  # pixels between two proposals


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
        button = Suggestion(self, lambda: self.suggestions)
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
        if self._proposed:
            rows: list[tuple[QWidget, int]] = [(s, s.row_height()) for s in self.suggestions]
        else:  # the note wraps its words (``plain_label``): its height follows the width
            rows = [(self._note, self._note.heightForWidth(room))]
        for widget, height in rows:
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
        return border + 2 * MARGIN + count * self._proposals[0].row_height() + (count - 1) * SPACING

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
