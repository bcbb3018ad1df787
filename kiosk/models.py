"""Plain data shared by the core, the printers and the UI. No behaviour that touches I/O."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from kiosk.records import field, record
from kiosk.wire import Host  # the host record is also part of the wire to the hub

__all__ = [
    "BadgeContent",
    "CheckinForm",
    "Company",
    "Host",
    "NoticeVersion",
    "OnSite",
    "PurgeResult",
    "Purpose",
    "Visit",
]


@record
class Purpose:
    """A reason for visiting, as configured by the site (e.g. meeting, delivery)."""

    key: str
    labels: Mapping[str, str]
    free_text: bool = False

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("en") or self.key


@record
class Company:
    """A tenant of a shared building: its own controller, privacy contact and retention."""

    id: str
    name: str
    privacy_contact: str
    policy_url: str = ""
    addenda: Mapping[str, str] = field(default_factory=dict)  # language → extra notice text
    retention_days: int = 0  # 0 = the site's retention
    notify: tuple[str, ...] = ()  # default targets for hosts that name none


@record
class CheckinForm:
    """What the guest typed, exactly as typed: nothing is trusted before validation."""

    name: str
    email: str
    purpose: str
    host_id: str
    language: str
    purpose_text: str = ""


@record
class NoticeVersion:
    """One rendered privacy notice; ``version`` is the hash of ``text`` so it cannot drift."""

    version: str
    language: str
    text: str


@record
class Visit:
    """A stored check-in. Times are timezone-aware UTC."""

    id: str
    site: str
    kiosk_id: str
    host_id: str
    purpose: str
    purpose_text: str
    name: str
    email: str
    language: str
    notice_version: str
    checked_in_at: datetime
    purge_after: datetime
    checked_out_at: datetime | None = None
    checkout_kind: str | None = None  # "guest", "staff" or "auto"
    company_id: str = ""
    email_purge_after: datetime | None = None  # earlier than purge_after where configured
    notes_purge_after: datetime | None = None

    @property
    def first_name(self) -> str:
        """The name part a badge greets with; CJK names have no spaces, so they stay whole."""
        parts = self.name.split()
        return parts[0] if parts else self.name


@record
class PurgeResult:
    """What one retention run removed, for the CLI, the log and the tests."""

    visits_erased: int
    spool_files_removed: int
    ran_at: datetime
    fields_erased: int = 0
    counts_kept: dict[str, int] = field(default_factory=dict)


@record
class BadgeContent:
    """Text and QR payload of one badge. The payload never holds personal data."""

    name: str
    host_name: str
    date_text: str
    payload: str
    short_code: str
    site_name: str
    visitor_label: str
    host_label: str


@record
class OnSite:
    """One person on site, for the staff list and the evacuation roll call."""

    visit_id: str
    name: str
    host: str
    kiosk_id: str
    checked_in_at: datetime
    minutes_on_site: int

    def local_time(self, zone: tzinfo) -> str:
        return self.checked_in_at.astimezone(zone).strftime("%H:%M")
