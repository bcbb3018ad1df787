"""Staff: join this kiosk to the site's hub with the one-time code an administrator made in the
hub's console (or with ``kiosk hub add-kiosk``): the hub's address and the code, typed or read
by a barcode scanner. Nobody pastes a key; the kiosk's key and the site's keys arrive over the
hub's API (``kiosk.enrolment``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLineEdit, QVBoxLayout

from kiosk.i18n import Translator
from ui.widgets import Field, Screen, plain_label, set_text


class JoinHubScreen(Screen):
    back = Signal()
    join = Signal(str, str)  # the hub's address, the code

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("join_hub")
        self._status_id = ""
        self._status_values: dict[str, object] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 8, 64, 24)
        layout.setSpacing(10)
        layout.addWidget(self.label("title", "join_hub.title"))
        layout.addWidget(self.label("subtitle", "join_hub.intro"))
        card = QFrame()
        card.setObjectName("card")
        fields = QVBoxLayout(card)
        fields.setContentsMargins(32, 24, 32, 24)
        self.url = QLineEdit()
        self.url.setObjectName("hubUrl")
        self.url.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly)
        self.url_field = Field(self, "join_hub.url", "join_hub.url_why", self.url)
        fields.addWidget(self.url_field)
        self.code = QLineEdit()
        self.code.setObjectName("enrolCode")
        self.code.setMaxLength(64)
        self.code.setInputMethodHints(Qt.InputMethodHint.ImhPreferUppercase)
        self.code.returnPressed.connect(self._on_join)
        self.code_field = Field(self, "join_hub.code", "join_hub.code_why", self.code)
        fields.addWidget(self.code_field)
        layout.addWidget(card)
        self.status = plain_label("status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.back_button = self.button("secondary", "onsite.back")
        self.back_button.clicked.connect(self.back)
        self.join_button = self.button("primary", "join_hub.join")
        self.join_button.clicked.connect(self._on_join)
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.join_button)
        layout.addLayout(row)
        self.bind(self._translate)

    def _on_join(self) -> None:
        url, code = self.url.text().strip(), self.code.text().strip()
        if url and code:
            self.join_button.setEnabled(False)
            self.join.emit(url, code)

    def set_status(self, string_id: str, tr: Translator, **values: object) -> None:
        """A catalog text, or ``join_hub.refused`` with the hub's own words as ``reason``."""
        self._status_id, self._status_values = string_id, values
        self.join_button.setEnabled(string_id != "join_hub.joining")
        self._translate(tr)

    def _translate(self, tr: Translator) -> None:
        text = tr(self._status_id, **self._status_values) if self._status_id else ""
        set_text(self.status, text)

    def reset(self) -> None:
        self._status_id, self._status_values = "", {}
        self.status.setText("")
        self.code.setText("")
        self.join_button.setEnabled(True)
