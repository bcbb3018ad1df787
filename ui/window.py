"""The kiosk window: a slim top bar (site, language) over a stack of screens."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.config import Config
from kiosk.hosts import HostDirectory
from kiosk.i18n import Translator
from ui.screens.badge import BadgeScreen
from ui.screens.checkout import CheckoutScreen
from ui.screens.details import DetailsScreen
from ui.screens.done import DoneScreen
from ui.screens.notice import NoticeScreen
from ui.screens.welcome import WelcomeScreen
from ui.widgets import LanguageBar, Screen, plain_label


class KioskWindow(QWidget):
    language_chosen = Signal(str)

    def __init__(self, config: Config, directory: HostDirectory) -> None:
        super().__init__()
        self.setObjectName("kioskRoot")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        self.top_bar = QWidget()
        bar = QHBoxLayout(self.top_bar)
        bar.setContentsMargins(32, 8, 24, 0)
        site = plain_label("siteName")
        site.setText(config.site_name)
        site.setProperty("configText", True)
        bar.addWidget(site)
        bar.addStretch(1)
        self.languages = LanguageBar(config.languages)
        self.languages.chosen.connect(self.language_chosen)
        bar.addWidget(self.languages)
        layout.addWidget(self.top_bar)

        self.welcome = WelcomeScreen(config)
        self.details = DetailsScreen(config, directory)
        self.notice = NoticeScreen()
        self.badge = BadgeScreen()
        self.done = DoneScreen()
        self.checkout = CheckoutScreen()
        self.screens: dict[str, Screen] = {
            "welcome": self.welcome,
            "details": self.details,
            "notice": self.notice,
            "badge": self.badge,
            "done": self.done,
            "checkout": self.checkout,
        }
        self.stack = QStackedWidget()
        for screen in self.screens.values():
            self.stack.addWidget(screen)
        layout.addWidget(self.stack, stretch=1)

    def retranslate(self, tr: Translator, language: str) -> None:
        self.setWindowTitle(tr("app.title"))
        self.languages.show_current(language)
        self.welcome.languages.show_current(language)
        for screen in self.screens.values():
            screen.retranslate(tr)

    def show_step(self, name: str) -> None:
        self.stack.setCurrentWidget(self.screens[name])
        # Welcome has its own large language buttons; elsewhere the top bar offers the switch.
        self.languages.setVisible(name != "welcome")

    def current_screen(self) -> Screen:
        widget = self.stack.currentWidget()
        assert isinstance(widget, Screen)
        return widget

    def reset_all(self) -> None:
        for screen in self.screens.values():
            screen.reset()
