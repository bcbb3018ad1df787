"""Staff mode: a PIN, then what staff may do at the tablet: check a guest in, see who is here,
the evacuation roll call, visitor numbers; and, apart from those, close the kiosk (in lockdown
the only way out)."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from ui.widgets import Field, Screen, plain_label, set_accessible


class StaffScreen(Screen):
    pin_entered = Signal()
    cancelled = Signal()
    exit_requested = Signal()
    onsite_requested = Signal()
    evacuation_requested = Signal()
    report_requested = Signal()
    assist_requested = Signal()
    join_hub_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("staff")
        self._message_id = ""
        self._message_values: dict[str, object] = {}
        self._staff_id = ""
        self._alert_count = 0
        outer = QVBoxLayout(self)
        outer.setContentsMargins(64, 8, 64, 24)
        outer.setSpacing(8)
        outer.addWidget(self.label("title", "staff.title"))
        self.intro = self.label("subtitle", "staff.intro")
        outer.addWidget(self.intro)
        outer.addSpacing(12)

        outer.addWidget(self._build_pin_card())
        outer.addWidget(self._build_menu())
        outer.addStretch(1)

        self.cancel = self.button("secondary", "staff.cancel")
        self.cancel.clicked.connect(self.cancelled)
        self.unlock = self.button("primary", "staff.unlock")
        self.unlock.clicked.connect(self.pin_entered)
        row = QHBoxLayout()
        row.addWidget(self.cancel)
        row.addStretch(1)
        row.addWidget(self.unlock)
        # Closing the kiosk is rare and drastic: it sits apart, bottom right, never in the
        # column of everyday tasks where a hurried tap might reach it.
        row.addWidget(self.exit_button)
        outer.addLayout(row)
        self.bind(self._translate_state)

    def _build_pin_card(self) -> QFrame:
        self.pin_card = QFrame()
        self.pin_card.setObjectName("card")
        card = QVBoxLayout(self.pin_card)
        card.setContentsMargins(32, 24, 32, 24)
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(12)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,12}")))
        self.pin.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.pin.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.pin.returnPressed.connect(self.pin_entered)
        self.pin_field = Field(self, "staff.pin", "staff.pin_why", self.pin)
        card.addWidget(self.pin_field)
        return self.pin_card

    def _build_menu(self) -> QWidget:
        self.menu = QWidget()
        menu = QVBoxLayout(self.menu)
        menu.setSpacing(16)
        self.signed_in = plain_label("status")
        menu.addWidget(self.signed_in)
        self.alerts = plain_label("errorBanner")
        self.alerts.setVisible(False)
        menu.addWidget(self.alerts)
        self.onsite_button = self.button("staffAction", "onsite.button")
        self.onsite_button.clicked.connect(self.onsite_requested)
        self.evacuation_button = self.button("staffAction", "evacuation.button")
        self.evacuation_button.clicked.connect(self.evacuation_requested)
        self.assist_button = self.button("staffAction", "staff.assist")
        self.assist_button.clicked.connect(self.assist_requested)
        self.report_button = self.button("staffAction", "report.button")
        self.report_button.clicked.connect(self.report_requested)
        self.join_hub_button = self.button("staffAction", "join_hub.button")
        self.join_hub_button.clicked.connect(self.join_hub_requested)
        self.exit_button = self.button("secondary", "staff.exit", "staff.exit_help")
        self.exit_button.clicked.connect(self.exit_requested)
        self.exit_button.setVisible(False)
        buttons = (
            self.assist_button,
            self.onsite_button,
            self.evacuation_button,
            self.report_button,
            self.join_hub_button,
        )
        for button in buttons:
            menu.addWidget(button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.menu.setVisible(False)
        return self.menu

    def show_problem(self, string_id: str, tr: Translator, **values: object) -> None:
        self._message_id, self._message_values = string_id, values
        self.pin.setText("")
        self._translate_state(tr)

    def show_alerts(self, count: int, tr: Translator) -> None:
        self._alert_count = count
        self._translate_state(tr)

    def show_menu(self, staff_id: str, tr: Translator) -> None:
        self._staff_id = staff_id
        self.pin.setText("")
        self.pin_card.setVisible(False)
        self.unlock.setVisible(False)
        self.intro.setVisible(False)
        self.menu.setVisible(True)
        self.exit_button.setVisible(True)
        self._translate_state(tr)

    def _translate_state(self, tr: Translator) -> None:
        message = tr(self._message_id, **self._message_values) if self._message_id else ""
        self.pin_field.show_error(message)
        self.signed_in.setText(
            tr("staff.signed_in", staff=self._staff_id) if self._staff_id else ""
        )
        self.alerts.setText(
            tr("staff.alerts", count=self._alert_count) if self._alert_count else ""
        )
        self.alerts.setVisible(bool(self._alert_count and self._staff_id))
        cancel_text = tr("staff.back") if self._staff_id else tr("staff.cancel")
        self.cancel.setText(cancel_text)
        set_accessible(self.cancel, cancel_text)

    def reset(self) -> None:
        self._message_id, self._message_values, self._staff_id = "", {}, ""
        self._alert_count = 0
        self.alerts.setVisible(False)
        self.pin.setText("")
        self.pin_field.show_error("")
        self.pin_card.setVisible(True)
        self.unlock.setVisible(True)
        self.intro.setVisible(True)
        self.menu.setVisible(False)
        self.exit_button.setVisible(False)
        self.signed_in.setText("")
