"""Badge: the QR badge on screen at once, and how printing is going.

This is the only screen that shows the guest's details, and only the first name and host.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QLocale, Qt, QTime, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout

from kiosk.i18n import Translator
from ui.widgets import Screen, data_label, plain_label, set_accessible, set_text

QR_SIDE = 320


LOCALES = {"zh-TW": "zh_TW", "en": "en_US"}


def local_time(moment: datetime, language: str) -> str:
    """A time as readers of ``language`` write it: 上午9:30 in Taiwan, 9:30 AM in English."""
    locale = QLocale(LOCALES.get(language, language.replace("-", "_")))
    return locale.toString(QTime(moment.hour, moment.minute), QLocale.FormatType.ShortFormat)


class BadgeScreen(Screen):
    done = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("badge")
        self._first_name = ""
        self._host_name = ""
        self._time: datetime | None = None
        self._status_id = ""

        layout = QHBoxLayout(self)
        layout.setContentsMargins(80, 48, 80, 48)
        layout.setSpacing(56)

        card = QFrame()
        card.setObjectName("card")
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(28, 28, 28, 20)
        card_layout.setSpacing(8)
        self.qr = QLabel()
        self.qr.setObjectName("qr")
        self.qr.setFixedSize(QR_SIDE, QR_SIDE)
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bind(lambda tr: set_accessible(self.qr, tr("badge.qr_help")))
        self.short_code = data_label("shortCode")
        self.short_code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        card_layout.addWidget(self.qr, alignment=Qt.AlignmentFlag.AlignCenter)
        card_layout.addWidget(self.short_code)
        self.qr_help = self.label("why", "badge.qr_help")
        self.qr_help.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_help.setMaximumWidth(QR_SIDE)
        card_layout.addWidget(self.qr_help)
        layout.addWidget(card, alignment=Qt.AlignmentFlag.AlignVCenter)

        text = QVBoxLayout()
        text.setSpacing(14)
        text.addStretch(1)
        self.title = plain_label("badgeName")
        self.title.setProperty("guestData", True)
        self.visiting = plain_label("badgeDetail")
        self.visiting.setProperty("guestData", True)
        self.checked_in = plain_label("badgeDetail")
        self.status = plain_label("status")
        for widget in (self.title, self.visiting, self.checked_in):
            text.addWidget(widget)
        text.addSpacing(24)
        text.addWidget(self.status)
        text.addSpacing(24)
        self.done_button = self.button("primary", "badge.done")
        self.done_button.clicked.connect(self.done)
        text.addWidget(self.done_button, alignment=Qt.AlignmentFlag.AlignLeft)
        text.addStretch(1)
        layout.addLayout(text, stretch=1)
        self.bind(self._translate_guest_lines)

    def show_visit(
        self,
        first_name: str,
        host_name: str,
        checked_in: datetime,
        code: str,
        qr: QImage,
        tr: Translator,
    ) -> None:
        self._first_name, self._host_name, self._time = first_name, host_name, checked_in
        self.short_code.setText(code)
        self.qr.setPixmap(
            QPixmap.fromImage(qr).scaled(
                QR_SIDE,
                QR_SIDE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.FastTransformation,
            )
        )
        self.set_status("badge.printing", tr)
        self._translate_guest_lines(tr)

    def set_status(self, string_id: str, tr: Translator) -> None:
        self._status_id = string_id
        set_text(self.status, tr(string_id) if string_id else "")

    def status_id(self) -> str:
        return self._status_id

    def _translate_guest_lines(self, tr: Translator) -> None:
        if not self._first_name:
            return
        set_text(self.title, tr("badge.title", name=self._first_name))
        set_text(self.visiting, tr("badge.visiting", host=self._host_name))
        when = local_time(self._time, tr.language) if self._time else ""
        set_text(self.checked_in, tr("badge.checked_in", time=when))
        set_text(self.status, tr(self._status_id) if self._status_id else "")

    def reset(self) -> None:
        self._first_name = self._host_name = self._status_id = ""
        self._time = None
        for label in (self.title, self.visiting, self.checked_in, self.status, self.short_code):
            label.setText("")
        self.qr.setPixmap(QPixmap())
