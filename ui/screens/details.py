"""Details: name, email, purpose and host, each with a one-line reason why we ask."""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import Config
from kiosk.hosts import HostDirectory
from kiosk.i18n import Translator
from kiosk.models import CheckinForm, Host, Purpose
from kiosk.validation import NAME_MAX, PURPOSE_TEXT_MAX
from ui.host_picker import HostList, HostSearch
from ui.widgets import (
    CardLineEdit,
    Field,
    MessageLabel,
    Screen,
    set_accessible,
    set_placeholder,
    set_text,
)

# Generous input caps: long enough that validation, not the widget, explains a too-long value.
_EDITOR_CAP = 4 * NAME_MAX


class AnswerEdit(CardLineEdit):
    """A guest's answer on one line. Once the guest moves on to another field, it shows the
    answer from its start: a line edit keeps showing where the typing ended, so at large text a
    long name read "dra Montgomery-Smith" while the guest checked the rest of the form. When the
    window only loses the focus for a moment (another window, a popup), the cursor stays put, so
    the guest's typing continues where it was."""

    def __init__(self, object_name: str) -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.setMaxLength(_EDITOR_CAP)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        passing = (Qt.FocusReason.ActiveWindowFocusReason, Qt.FocusReason.PopupFocusReason)
        if event.reason() not in passing:
            self.setCursorPosition(0)


class DetailsScreen(Screen):
    submitted = Signal()
    cancelled = Signal()

    def __init__(self, config: Config, directory: HostDirectory) -> None:
        super().__init__()
        self.setObjectName("details")
        self._config = config
        self._directory = directory
        outer = QVBoxLayout(self)
        outer.setContentsMargins(64, 0, 64, 20)
        outer.setSpacing(6)
        outer.addWidget(self.label("step", "details.step"))
        heading = self._heading = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        heading.addWidget(self.label("title", "details.title"))
        heading.addStretch(1)
        self.summary = MessageLabel("errorBanner")
        self.summary.setWordWrap(False)
        heading.addWidget(self.summary)
        outer.addLayout(heading)
        outer.addSpacing(6)

        card = QFrame()
        card.setObjectName("card")
        columns = QHBoxLayout(card)
        columns.setContentsMargins(32, 16, 32, 12)
        columns.setSpacing(40)
        columns.addLayout(self._contact_column(config), stretch=1)
        columns.addLayout(self._purpose_column(config), stretch=1)
        outer.addWidget(card, stretch=1)
        if isinstance(self.host, HostSearch):
            self.host.set_backdrop(card)

        self.cancel = self.button("secondary", "details.cancel")
        self.cancel.clicked.connect(self.cancelled)
        self.next = self.button("primary", "details.next")
        self.next.clicked.connect(self.submitted)
        self.name.returnPressed.connect(self.email.setFocus)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 12, 0, 0)
        buttons.addWidget(self.cancel)
        buttons.addStretch(1)
        buttons.addWidget(self.next)
        outer.addLayout(buttons)
        self._fields = {
            "name": self.name_field,
            "email": self.email_field,
            "purpose": self.purpose_field,
            "purpose_text": self.purpose_text_field,
            "host": self.host_field,
        }
        self._set_tab_order()
        self._clear_error_when_edited()

    def _contact_column(self, config: Config) -> QVBoxLayout:
        """Name, email and host: who the guest is and whom they are here for."""
        self.name = AnswerEdit("name")
        self.email = AnswerEdit("email")
        self.email.setInputMethodHints(
            Qt.InputMethodHint.ImhEmailCharactersOnly | Qt.InputMethodHint.ImhNoAutoUppercase
        )
        self.name_field = Field(self, "details.name", "details.name_why", self.name)
        self.email_field = Field(self, "details.email", "details.email_why", self.email)
        self.bind(lambda tr: set_placeholder(self.name, tr("details.name_placeholder")))
        self.bind(lambda tr: set_placeholder(self.email, tr("details.email_placeholder")))
        self.host: HostSearch | HostList = (
            HostSearch(self._directory.search, self)
            if config.host_picker == "search"
            else HostList(self._directory.active())
        )
        self.host_field = Field(self, "details.host", "details.host_why", self.host)
        self.bind(self.host.retranslate)
        self.copy = QCheckBox()
        self.copy.setObjectName("copy")
        self.copy.setVisible(config.offers_visitor_copy)
        self.bind(lambda tr: set_text(self.copy, tr("notify.copy_choice")))
        self.bind(lambda tr: set_accessible(self.copy, tr("notify.copy_choice")))
        self.bind(lambda tr: set_accessible(self.copy, description=tr("notify.copy_why")))
        column = QVBoxLayout()
        column.setSpacing(14)
        for widget in (self.name_field, self.email_field, self.copy, self.host_field):
            column.addWidget(widget)
        column.addStretch(1)
        return column

    def _purpose_column(self, config: Config) -> QVBoxLayout:
        """Why the guest is here, with room for a note where the purpose invites one."""
        self.purposes = QButtonGroup(self)
        self.purposes.setExclusive(True)
        self._purpose_buttons: dict[str, QPushButton] = {}
        self.purpose_field = Field(
            self, "details.purpose", "details.purpose_why", self._purpose_grid(config.purposes)
        )
        self.purpose_text = AnswerEdit("purposeText")
        self.purpose_text.setMaxLength(PURPOSE_TEXT_MAX * 2)
        self.purpose_text_field = Field(
            self, "details.purpose_text", "details.purpose_why", self.purpose_text
        )
        self.purpose_text_field.why.setVisible(False)
        self.purpose_text_field.setVisible(False)
        self.bind(
            lambda tr: set_placeholder(self.purpose_text, tr("details.purpose_text_placeholder"))
        )
        column = QVBoxLayout()
        column.setSpacing(14)
        column.addWidget(self.purpose_field)
        column.addWidget(self.purpose_text_field)
        column.addStretch(1)
        return column

    def _clear_error_when_edited(self) -> None:
        """A fixed field stops shouting at once; the others keep their message."""
        self.name.textEdited.connect(lambda _t: self._clear_error("name"))
        self.email.textEdited.connect(lambda _t: self._clear_error("email"))
        self.purpose_text.textEdited.connect(lambda _t: self._clear_error("purpose_text"))
        self.host.picked.connect(lambda: self._clear_error("host"))
        self.purposes.buttonClicked.connect(lambda _b: self._clear_error("purpose"))

    def _clear_error(self, key: str) -> None:
        self._fields[key].show_error("")
        if not any(field.has_error() for field in self._fields.values()):
            self.summary.show_message("")

    def _purpose_grid(self, purposes: tuple[Purpose, ...]) -> QWidget:
        box = QWidget()
        grid = self._purpose_layout = QGridLayout(box)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.setSpacing(10)
        for index, purpose in enumerate(purposes):
            button = QPushButton()
            button.setObjectName("choice")
            button.setCheckable(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.toggled.connect(self._on_purpose_toggled)
            self.purposes.addButton(button)
            self._purpose_buttons[purpose.key] = button
            grid.addWidget(button, index // 3, index % 3)

            def apply(tr: Translator, b: QPushButton = button, p: Purpose = purpose) -> None:
                b.setText(p.label(tr.language))
                set_accessible(b, p.label(tr.language))

            self.bind(apply)
        return box

    def rescale(self, scale: float) -> None:
        """Large text: the error summary goes under the title, purposes into fewer columns."""
        self._heading.setDirection(
            QBoxLayout.Direction.LeftToRight if scale == 1.0 else QBoxLayout.Direction.TopToBottom
        )
        self.summary.setWordWrap(scale != 1.0)
        columns = 3 if scale == 1.0 else 2 if scale <= 1.5 else 1
        for index, button in enumerate(self._purpose_buttons.values()):
            self._purpose_layout.addWidget(button, index // columns, index % columns)

    def rescaled(self) -> None:
        """Open proposals, placed for the old text size, could now run off the screen."""
        if isinstance(self.host, HostSearch):
            self.host.refit()

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [self.name, self.email, self.copy, self.host]
        chain += self._purpose_buttons.values()
        chain += [self.purpose_text, self.cancel, self.next]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _on_purpose_toggled(self, _checked: bool) -> None:
        purpose = self._config.purpose(self.selected_purpose())
        self.purpose_text_field.setVisible(bool(purpose and purpose.free_text))

    def prefill(self, name: str, email: str, host: Host | None) -> None:
        """Details from an invitation; the guest can still change them."""
        self.name.setText(name)
        self.email.setText(email)
        if host is not None:
            self.host.choose(host)

    def wants_copy(self) -> bool:
        return self._config.offers_visitor_copy and self.copy.isChecked()

    def selected_purpose(self) -> str:
        return next((k for k, b in self._purpose_buttons.items() if b.isChecked()), "")

    def form(self, language: str) -> CheckinForm:
        """What the guest entered, untouched; the core validates and normalises it."""
        host_id = self.host.host_id()
        return CheckinForm(
            name=self.name.text(),
            email=self.email.text(),
            purpose=self.selected_purpose(),
            host_id=host_id,
            language=language,
            purpose_text=self.purpose_text.text(),
        )

    def show_errors(self, errors: dict[str, str], summary: str) -> None:
        for key, field in self._fields.items():
            field.show_error(errors.get(key, ""))
        self.summary.show_message(summary if errors else "")
        first = next((self._fields[k] for k in self._fields if k in errors), None)
        if first is not None:
            first.editor.setFocus()

    def has_errors(self) -> bool:
        return bool(self.summary.text())

    def reset(self) -> None:
        for edit in (self.name, self.email, self.purpose_text):
            edit.setText("")  # unlike clear(), also drops the undo history

        self.purposes.setExclusive(False)
        for button in self._purpose_buttons.values():
            button.setChecked(False)
        self.purposes.setExclusive(True)
        self.host.clear_choice()
        self.copy.setChecked(False)
        self.show_errors({}, "")
