"""Every screen but Welcome, built together once Welcome is on screen (see ``ui.start``).

Kept apart from ``ui.window`` so that drawing Welcome imports none of these screens: together
with the core they are most of the kiosk's start-up time.
"""

from __future__ import annotations

from kiosk.config import Config
from kiosk.hosts import HostDirectory
from kiosk.records import fields, record
from ui.screens.badge import BadgeScreen
from ui.screens.checkout import CheckoutScreen
from ui.screens.details import DetailsScreen
from ui.screens.done import DoneScreen
from ui.screens.join_hub import JoinHubScreen
from ui.screens.notice import NoticeScreen
from ui.screens.onsite import OnSiteScreen
from ui.screens.report import ReportScreen
from ui.screens.staff import StaffScreen
from ui.widgets import Screen


@record
class ScreenSet:
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

    @classmethod
    def build(cls, config: Config, directory: HostDirectory) -> ScreenSet:
        return cls(
            details=DetailsScreen(config, directory),
            notice=NoticeScreen(),
            badge=BadgeScreen(),
            done=DoneScreen(),
            checkout=CheckoutScreen(),
            invitation=CheckoutScreen("invitation"),
            staff=StaffScreen(),
            onsite=OnSiteScreen(),
            report=ReportScreen(),
            join_hub=JoinHubScreen(),
        )

    def by_step(self) -> dict[str, Screen]:
        """Screens by the name of the flow step that shows them (each field is named so)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}
