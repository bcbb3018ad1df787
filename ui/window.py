"""The kiosk window: a slim top bar (site, language) over a stack of screens.

It opens with Welcome alone, so the guest sees the kiosk as soon as Qt can draw it; the other
screens are added by ``add_screens`` right after (``ui.start``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import Config
from kiosk.i18n import Translator
from ui.screens.welcome import WelcomeScreen
from ui.style import stylesheet
from ui.widgets import LanguageBar, Screen, plain_label, set_accessible

if TYPE_CHECKING:
    from ui.screen_set import ScreenSet
    from ui.screens.badge import BadgeScreen
    from ui.screens.checkout import CheckoutScreen
    from ui.screens.details import DetailsScreen
    from ui.screens.done import DoneScreen
    from ui.screens.join_hub import JoinHubScreen
    from ui.screens.notice import NoticeScreen
    from ui.screens.onsite import OnSiteScreen
    from ui.screens.report import ReportScreen
    from ui.screens.staff import StaffScreen

HOLD_MS = 2000
TEXT_SIZE_STYLE = (
    "font-size: 22px; padding: 0; min-width: 84px; max-width: 84px; min-height: 52px;"
    " max-height: 52px;"
)


class HoldDetector(QObject):
    """A press held for two seconds: the discreet way into staff mode (on the site name)."""

    held = Signal()

    def __init__(self, target: QWidget) -> None:
        super().__init__(target)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(HOLD_MS)
        self.timer.timeout.connect(self.held)
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            self.timer.start()
        elif event.type() in (QEvent.Type.MouseButtonRelease, QEvent.Type.TouchEnd):
            self.timer.stop()
        return False


class KioskWindow(QWidget):
    language_chosen = Signal(str)
    text_size_clicked = Signal()
    staff_requested = Signal()
    # Set by add_screens:
    details: DetailsScreen
    notice: NoticeScreen
    badge: BadgeScreen
    done: DoneScreen
    checkout: CheckoutScreen
    invitation: CheckoutScreen
    staff: StaffScreen
    onsite: OnSiteScreen
    report: ReportScreen
    join_hub: JoinHubScreen

    def __init__(self, config: Config) -> None:
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
        self.site_label = site
        self.staff_hold = HoldDetector(site)
        self.staff_hold.held.connect(self.staff_requested)
        bar.addWidget(site)
        bar.addStretch(1)
        self.text_scale = 1.0
        self.text_size = QPushButton("Aa")
        self.text_size.setObjectName("language")
        self.text_size.setProperty("symbol", True)
        self.text_size.clicked.connect(self.text_size_clicked)
        # A tap on Aa leaves the focus in the field the guest is typing in (Tab still reaches it).
        self.text_size.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        # Aa keeps one size and sits at the right edge: larger text widens the language buttons
        # to its left, never Aa itself, so a second tap lands on Aa again, not on a language.
        self.text_size.setStyleSheet(TEXT_SIZE_STYLE)  # its own rules win over the scaled ones
        self.languages = LanguageBar(config.languages)
        self.languages.chosen.connect(self.language_chosen)
        bar.addWidget(self.languages)
        bar.addSpacing(8)
        bar.addWidget(self.text_size)
        layout.addWidget(self.top_bar)

        self.welcome = WelcomeScreen(config)
        self.screens: dict[str, Screen] = {}
        self.stack = QStackedWidget()
        self._scrollers: dict[str, QScrollArea] = {}
        self._add("welcome", self.welcome)
        layout.addWidget(self.stack, stretch=1)

    def add_screens(self, screens: ScreenSet) -> None:
        self.details, self.notice, self.badge = screens.details, screens.notice, screens.badge
        self.done, self.checkout, self.invitation = (
            screens.done,
            screens.checkout,
            screens.invitation,
        )
        self.staff, self.onsite, self.report = screens.staff, screens.onsite, screens.report
        self.join_hub = screens.join_hub
        for name, screen in screens.by_step().items():
            self._add(name, screen)

    def _add(self, name: str, screen: Screen) -> None:
        # At 100 % every screen fits the tablet; in the large-text modes a screen may scroll.
        scroller = QScrollArea()
        scroller.setObjectName("screenScroller")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Not a stop for Tab (it has nothing to say and no focus ring); focusing a control
        # below the fold scrolls it into view.
        scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroller.setWidget(screen)
        self.screens[name] = screen
        self._scrollers[name] = scroller
        self.stack.addWidget(scroller)

    def retranslate(self, tr: Translator, language: str) -> None:
        self.setWindowTitle(tr("app.title"))
        set_accessible(self.text_size, tr("app.text_size"))
        set_accessible(self.text_size, description=tr("app.text_size_help"))
        self.languages.show_current(language)
        self.welcome.languages.show_current(language)
        for screen in self.screens.values():
            screen.retranslate(tr)

    def show_step(self, name: str) -> None:
        self.stack.setCurrentWidget(self._scrollers[name])
        self._scrollers[name].verticalScrollBar().setValue(0)
        # Welcome has its own large language buttons; elsewhere the top bar offers the switch.
        self.languages.setVisible(name != "welcome")

    def current_screen(self) -> Screen:
        scroller = self.stack.currentWidget()
        assert isinstance(scroller, QScrollArea)
        widget = scroller.widget()
        assert isinstance(widget, Screen)
        return widget

    def set_text_scale(self, scale: float) -> None:
        """Large-text mode: the whole window's style at ``scale`` (1.0, 1.5 or 2.0). The field
        the guest is typing in stays in sight: the screen grows, and the host field, last on
        the form, would otherwise end up below the fold while the guest goes on typing in it."""
        self.text_scale = scale
        self.setStyleSheet(stylesheet(scale) if scale != 1.0 else "")
        for screen in self.screens.values():
            screen.rescale(scale)
        # The new sizes are laid out when Qt next handles its layout requests; handle them now,
        # so that where each widget went is known.
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self._keep_focus_in_sight()
        self.current_screen().rescaled()

    def _keep_focus_in_sight(self) -> None:
        focus = QApplication.focusWidget()
        scroller = self.stack.currentWidget()
        if focus is not None and isinstance(scroller, QScrollArea) and scroller.isAncestorOf(focus):
            scroller.ensureWidgetVisible(focus)

    def reset_all(self) -> None:
        for screen in self.screens.values():
            screen.reset()
