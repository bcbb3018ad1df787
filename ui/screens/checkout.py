"""Code entry: for check-out, type the code under the QR (or let a scanner type the whole badge,
or show it to the camera where the tablet has one); the same screen takes invitation codes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.tokens import MAX_TOKEN_CHARS
from ui.widgets import Field, Screen, plain_label, set_placeholder, set_text


class CheckoutScreen(Screen):
    submitted = Signal()
    cancelled = Signal()

    def __init__(self, strings: str = "checkout") -> None:
        """``strings`` picks the catalog section: "checkout", or "invitation" for the same
        code entry used to fetch an invitation."""
        super().__init__()
        self.strings = strings
        self.setObjectName(strings)
        self._first_name = ""
        self._problem_id = ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(64, 8, 64, 24)
        outer.setSpacing(8)
        self.title = self.label("title", f"{self.strings}.title")
        outer.addWidget(self.title)
        self.intro = self.label("subtitle", f"{self.strings}.intro")
        outer.addWidget(self.intro)
        outer.addSpacing(12)

        outer.addWidget(self._code_form())
        self.filler = QWidget()  # the room under the form; the goodbye takes it all
        outer.addWidget(self.filler, stretch=1)
        self.goodbye = QWidget()
        goodbye_layout = QVBoxLayout(self.goodbye)
        self.goodbye_title = plain_label("heroTitle")
        self.goodbye_title.setProperty("guestData", True)
        self.goodbye_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        goodbye_body = self.label("subtitle", "checkout.goodbye_body")
        goodbye_body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Centred like the Done screen: name, a line, and one way back (it also goes by itself).
        self.goodbye_button = self.button("primary", "done.again")
        self.goodbye_button.clicked.connect(self.cancelled)
        goodbye_layout.addStretch(1)
        goodbye_layout.addWidget(self.goodbye_title)
        goodbye_layout.addSpacing(12)
        goodbye_layout.addWidget(goodbye_body)
        goodbye_layout.addSpacing(40)
        goodbye_layout.addWidget(self.goodbye_button, alignment=Qt.AlignmentFlag.AlignHCenter)
        goodbye_layout.addStretch(1)
        self.goodbye.setVisible(False)
        outer.addWidget(self.goodbye, stretch=1)

        self.cancel = self.button("secondary", "checkout.cancel")
        self.cancel.clicked.connect(self.cancelled)
        self.submit = self.button("primary", f"{self.strings}.submit")
        self.submit.clicked.connect(self.submitted)
        self.buttons = QWidget()
        row = QHBoxLayout(self.buttons)
        row.setContentsMargins(0, 12, 0, 0)
        row.addWidget(self.cancel)
        row.addStretch(1)
        row.addWidget(self.submit)
        outer.addWidget(self.buttons)
        self.bind(self._translate_goodbye)
        self.bind(self._translate_problem)

    def _code_form(self) -> QFrame:
        self.form = QFrame()
        self.form.setObjectName("card")
        form_layout = QVBoxLayout(self.form)
        form_layout.setContentsMargins(32, 24, 32, 24)
        form_layout.setSpacing(12)
        self.code = QLineEdit()
        self.code.setObjectName("code")
        self.code.setMaxLength(MAX_TOKEN_CHARS)
        self.code.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.code.setInputMethodHints(Qt.InputMethodHint.ImhPreferUppercase)
        self.code.returnPressed.connect(self.submitted)
        self.code_field = Field(self, f"{self.strings}.code", f"{self.strings}.code_why", self.code)
        self.bind(lambda tr: set_placeholder(self.code, tr(f"{self.strings}.code_placeholder")))
        self.code.textEdited.connect(self._on_code_edited)
        form_layout.addWidget(self.code_field)
        self.camera_slot = QVBoxLayout()
        form_layout.addLayout(self.camera_slot)
        form_layout.addStretch(1)
        return self.form

    def _on_code_edited(self, _text: str) -> None:
        self._problem_id = ""
        self.code_field.show_error("")

    def add_camera(self, viewfinder: QWidget) -> None:
        """Where the tablet has a camera, its picture goes under the code field."""
        self.camera_slot.addWidget(self.label("why", "checkout.scan"))
        self.camera_slot.addWidget(viewfinder, alignment=Qt.AlignmentFlag.AlignHCenter)

    def show_problem(self, string_id: str, tr: Translator) -> None:
        """Say what went wrong; the message follows a language switch like every other text."""
        self._problem_id = string_id
        self._translate_problem(tr)
        self.code.setFocus()

    def _translate_problem(self, tr: Translator) -> None:
        self.code_field.show_error(tr(self._problem_id) if self._problem_id else "")

    def show_goodbye(self, first_name: str, tr: Translator) -> None:
        self._first_name = first_name
        self._translate_goodbye(tr)
        for widget in (self.form, self.buttons, self.intro, self.title, self.filler):
            widget.setVisible(False)
        self.goodbye.setVisible(True)
        self.goodbye_button.setFocus()

    def _translate_goodbye(self, tr: Translator) -> None:
        if self._first_name:
            set_text(self.goodbye_title, tr("checkout.goodbye", name=self._first_name))

    def reset(self) -> None:
        self._first_name = ""
        self.goodbye_title.setText("")
        self.code.setText("")
        self._problem_id = ""
        self.code_field.show_error("")
        for widget in (self.form, self.buttons, self.intro, self.title, self.filler):
            widget.setVisible(True)
        self.goodbye.setVisible(False)
