"""What the screens' controllers may ask of the core, built once in ``ui.app``.

Each entry is a plain callable or a core service, so a controller never opens a store or a
printer itself, and a test can see exactly what the window depends on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from kiosk.badges import BadgeTokens
from kiosk.checkin import CheckinService
from kiosk.checkout import CheckoutService
from kiosk.enrolment import Enrolled
from kiosk.invitations import Invitation
from kiosk.models import OnSite
from kiosk.records import record
from kiosk.rollcall import RollCall
from kiosk.staff import PinCheck
from printers import PrintResult
from printers.pages import Outcome
from ui.camera import CameraScanner


@record
class Services:
    """The core services the flow drives, built once in ``ui.app``."""

    checkin: CheckinService
    tokens: BadgeTokens  # to verify and describe badges; check-in signs its own
    checkout: CheckoutService
    print_job: Callable[[str, Callable[[PrintResult], None]], None]
    printer_name: str
    staff_check: Callable[[str], PinCheck]
    onsite: Callable[[str], list[OnSite]]
    staff_checkout: Callable[[Sequence[str], str], int]
    reprint: Callable[[str, str, Callable[[PrintResult], None]], None]
    print_roll_call: Callable[[RollCall], Outcome]
    alert_count: Callable[[], int]
    find_invitation: Callable[[str], Invitation]
    numbers: Callable[[], tuple[list[tuple[str, int]], list[tuple[str, int]]]]
    export_csv: Callable[[], Path]
    clock: Callable[[], datetime]
    camera: CameraScanner | None = None
    join_hub: Callable[[str, str], Enrolled] | None = None  # blocking: from a worker
    hub_joined: Callable[[Enrolled], None] | None = None  # on the GUI thread: start syncing
