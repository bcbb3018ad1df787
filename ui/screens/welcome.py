"""Welcome: the site's greeting, the language choice and the one button that starts a check-in."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.config import Config
from kiosk.i18n import Translator
from ui.widgets import LanguageBar, MessageLabel, Screen

BANNER_WIDTH = 820


def centred_row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(20)
    row.addStretch(1)
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return row


class WelcomeScreen(Screen):
    start = Signal()
    checkout = Signal()
    invitation = Signal()
    language_chosen = Signal(str)

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.setObjectName("welcome")
        self._banner_id = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 40, 80, 48)
        layout.setSpacing(0)
        layout.addStretch(3)

        self.title = self.label("heroTitle", "welcome.title", site=config.site_name)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = self.label("subtitle", "welcome.subtitle")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        layout.addSpacing(12)
        layout.addWidget(self.subtitle)
        layout.addSpacing(48)

        self.checkin = self.button("hero", "welcome.checkin", "welcome.checkin_help")
        self.checkin.clicked.connect(self.start)
        self.checkout_button = self.button(
            "heroSecondary", "welcome.checkout", "welcome.checkout_help"
        )
        self.checkout_button.clicked.connect(self.checkout)
        layout.addLayout(centred_row(self.checkin, self.checkout_button))
        layout.addSpacing(36)
        self.invitation_button = self.button("choice", "invitation.button")
        self.invitation_button.clicked.connect(self.invitation)
        layout.addLayout(centred_row(self.invitation_button))
        layout.addSpacing(20)
        self.languages = LanguageBar(config.languages, object_name="choice")
        self.languages.chosen.connect(self.language_chosen)
        layout.addLayout(centred_row(self.languages))
        layout.addSpacing(28)

        # Room for two lines is kept whether or not there is a message, so the buttons above
        # never move under a finger when "nothing was saved" appears or goes.
        self.banner = MessageLabel("banner", lines=2)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setFixedWidth(BANNER_WIDTH)
        layout.addWidget(self.banner, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(4)

        # With the built-in example controller, say so where every guest and installer looks.
        self.demo_marker = self.label("demoMarker", "welcome.demo")
        self.demo_marker.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.demo_marker.setVisible(config.demo)
        layout.addWidget(self.demo_marker)
        self.privacy = self.label("privacyHint", "welcome.privacy", days=config.retention_days)
        self.privacy.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.privacy)
        self.bind(self._translate_banner)

    def show_banner(self, string_id: str, tr: Translator) -> None:
        """A short note about what just happened (declined, timed out), in the guest's language."""
        self._banner_id = string_id
        self._translate_banner(tr)

    def _translate_banner(self, tr: Translator) -> None:
        self.banner.show_message(tr(self._banner_id) if self._banner_id else "")

    def reset(self) -> None:
        self._banner_id = ""
        self.banner.show_message("")
