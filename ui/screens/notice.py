"""Notice: the just-in-time privacy notice, shown before anything is stored."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QTextBrowser, QVBoxLayout

from kiosk.i18n import Translator
from kiosk.models import NoticeVersion
from ui.widgets import Screen, plain_label, set_accessible, set_text

PARAGRAPH_GAP = 6


def _space_paragraphs(browser: QTextBrowser) -> None:
    """Markdown paragraphs arrive without a gap between them; give each a little air."""
    cursor = QTextCursor(browser.document())
    cursor.select(QTextCursor.SelectionType.Document)
    block_format = cursor.blockFormat()
    block_format.setBottomMargin(PARAGRAPH_GAP)
    block_format.setLineHeight(104, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
    cursor.mergeBlockFormat(block_format)


def _unlink(browser: QTextBrowser) -> None:
    """A kiosk opens no mail program or browser: addresses in the notice (the privacy contact)
    are shown as plain text to note down, not as links that do nothing when tapped."""
    document = browser.document()
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.isValid() and fragment.charFormat().isAnchor():
                cursor = QTextCursor(document)
                cursor.setPosition(fragment.position())
                cursor.setPosition(
                    fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor
                )
                plain = QTextCharFormat(fragment.charFormat())
                plain.setAnchor(False)
                plain.setAnchorHref("")
                plain.setFontUnderline(False)
                plain.clearForeground()
                cursor.setCharFormat(plain)
            iterator += 1
        block = block.next()


class NoticeScreen(Screen):
    accepted = Signal()
    given_on_paper = Signal()
    declined = Signal()
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("notice")
        self.notice: NoticeVersion | None = None
        self.company_notice: NoticeVersion | None = None
        self._error_id = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 4, 48, 20)
        layout.setSpacing(6)
        # Title and step share a line: every pixel goes to the notice, which should read
        # whole without scrolling at the default size.
        heading = QHBoxLayout()
        heading.addWidget(self.label("title", "notice.title"))
        heading.addStretch(1)
        heading.addWidget(self.label("step", "notice.step"))
        layout.addLayout(heading)
        layout.addWidget(self.label("subtitle", "notice.intro"))

        self.text = QTextBrowser()
        self.text.setObjectName("notice")
        self.text.setOpenLinks(False)
        self.text.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.text.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout.addWidget(self.text, stretch=1)
        self.bind(lambda tr: set_accessible(self.text, tr("notice.title")))

        # Shown only when saving failed; it takes its room from the notice above, so the
        # buttons below stay where the guest's finger is.
        self.error = plain_label("errorBanner")
        self.error.setVisible(False)
        layout.addWidget(self.error)
        self.bind(self._translate_error)

        self.back_button = self.button("secondary", "notice.back")
        self.back_button.clicked.connect(self.back)
        self.decline = self.button("secondary", "notice.decline", "notice.decline_help")
        self.decline.clicked.connect(self.declined)
        self.accept = self.button("primary", "notice.accept", "notice.accept_help")
        self.accept.clicked.connect(self.accepted)
        self.paper = self.button("secondary", "notice.paper", "notice.paper_help")
        self.paper.clicked.connect(self.given_on_paper)
        self.paper.setVisible(False)  # only in a check-in staff are assisting
        buttons = self._buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        buttons.setContentsMargins(0, 8, 0, 0)
        buttons.setSpacing(16)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.paper)
        buttons.addWidget(self.decline)
        buttons.addWidget(self.accept)
        layout.addLayout(buttons)

    def rescale(self, scale: float) -> None:
        """At 200 % the three answers no longer fit side by side: they stack."""
        direction = QBoxLayout.Direction
        self._buttons.setDirection(direction.TopToBottom if scale >= 2.0 else direction.LeftToRight)

    def show_notice(self, notice: NoticeVersion, company: NoticeVersion | None = None) -> None:
        """Display exactly the texts whose versions are recorded if the guest accepts: the
        site's notice and, on a shared-building site, the host's company's part."""
        self.notice = notice
        self.company_notice = company
        self.text.setMarkdown(notice.text + (f"\n\n---\n\n{company.text}" if company else ""))
        _space_paragraphs(self.text)
        _unlink(self.text)
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        """While saving, the buttons cannot be pressed twice."""
        for button in (self.accept, self.decline, self.back_button, self.paper):
            button.setEnabled(not busy)

    def show_error(self, string_id: str, tr: Translator) -> None:
        self._error_id = string_id
        self._translate_error(tr)

    def _translate_error(self, tr: Translator) -> None:
        set_text(self.error, tr(self._error_id) if self._error_id else "")
        self.error.setVisible(bool(self._error_id))

    def reset(self) -> None:
        self._error_id = ""
        self.error.clear()
        self.error.setVisible(False)
        self.set_busy(False)
