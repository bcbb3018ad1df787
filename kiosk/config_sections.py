"""The sections of the site config, one record and one parser each: a section's keys, their
defaults and their checks live together. ``kiosk.config.Config`` is all of them at once (it
inherits their fields), so code reads ``config.printer_backend`` and tests ``replace`` any key,
while ``[printer]`` is described in one place below.

Each ``parse`` takes the TOML table and returns only the keys the file set (named as the
``Config`` fields), after checking them; defaults stay in the record.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from kiosk import config_tables as tables
from kiosk.catalogue import brother_models, label_names
from kiosk.config_checks import check_timezone, hub_url
from kiosk.config_reader import Section
from kiosk.config_tables import MAX_RETENTION_DAYS, MAX_ZONE_BYTES
from kiosk.models import Company, Host, Purpose
from kiosk.records import record
from kiosk.wire import DEFAULT_SYNC_FIELDS, SUPPORTED_LANGUAGES, SYNC_FIELDS

KIOSK_ID = re.compile(r"(?!\.{1,2}$)[a-z0-9_.-]{1,64}")
PRINTER_BACKENDS = ("file", "none", "brother", "zebra", "cups")

DEFAULT_PURPOSES: tuple[Purpose, ...] = (
    Purpose("meeting", {"en": "Meeting", "zh-TW": "開會"}, free_text=False),
    Purpose("interview", {"en": "Interview", "zh-TW": "面試"}, free_text=False),
    Purpose("delivery", {"en": "Delivery", "zh-TW": "送貨"}, free_text=False),
    Purpose("contractor", {"en": "Contractor", "zh-TW": "施工或維修"}, free_text=False),
    Purpose("other", {"en": "Other", "zh-TW": "其他"}, free_text=True),
)
DEFAULT_HOSTS: tuple[Host, ...] = (
    Host("h-chen", "陳雅婷 Amy Chen", "Design"),
    Host("h-lin", "林志明 Jimmy Lin", "Engineering"),
    Host("h-wang", "王美玲 Meiling Wang", "Finance"),
    Host("h-reception", "Front desk 櫃檯", ""),
)


@record
class SiteSection:
    """[site]: which building, which kiosk of it, and its time zone."""

    TABLE: ClassVar[str] = "site"
    site_name: str = "Demo Tower"
    kiosk_id: str = "lobby-1"
    timezone: str = "Asia/Taipei"

    @staticmethod
    def parse(site: Section, source: str) -> dict[str, Any]:
        site.only("name", "kiosk_id", "timezone")
        values = site.pick(name="site_name", kiosk_id="kiosk_id", timezone="timezone")
        if "kiosk_id" in values and not KIOSK_ID.fullmatch(values["kiosk_id"]):
            raise site.fail("kiosk_id", "use 1 to 64 of a-z 0-9 - _ . (it names files and records)")
        if "timezone" in values:
            check_timezone(values["timezone"], source)
        return values


@record
class ControllerSection:
    """[controller]: who answers for the data, named in the privacy notice."""

    TABLE: ClassVar[str] = "controller"
    controller_name: str = "Demo Coworking Ltd."
    privacy_contact: str = "privacy@example.com"
    controller_address: str = "1 Demo Road, Taipei"
    # Named in the notice as where a guest may complain (GDPR Art. 13(2)(d)).
    supervisory_authority: str = "個人資料保護委員會 (Personal Data Protection Commission, Taiwan)"

    @staticmethod
    def parse(controller: Section, source: str) -> dict[str, Any]:
        controller.only("name", "privacy_contact", "address", "supervisory_authority")
        return controller.pick(
            name="controller_name",
            privacy_contact="privacy_contact",
            address="controller_address",
            supervisory_authority="supervisory_authority",
        )


@record
class KioskSection:
    """[kiosk]: languages, the idle timeout, lockdown, the supervised window's nightly fresh
    start (``kiosk.supervisor``; ``data_dir`` is on ``Config``)."""

    TABLE: ClassVar[str] = "kiosk"
    languages: tuple[str, ...] = SUPPORTED_LANGUAGES
    default_language: str = "zh-TW"
    idle_timeout_seconds: int = 60
    lockdown: bool = False
    fresh_start: str = "03:30"  # HH:MM site time, or "" for never

    @staticmethod
    def parse(kiosk: Section, source: str) -> dict[str, Any]:
        kiosk.only(
            "languages", "default_language", "idle_timeout_seconds", "data_dir", "lockdown",
            "fresh_start",
        )  # fmt: skip
        values: dict[str, Any] = {}
        if kiosk.has("fresh_start"):
            values["fresh_start"] = kiosk.clock_time("fresh_start")
        if kiosk.has("lockdown"):
            values["lockdown"] = kiosk.boolean("lockdown")
        if kiosk.has("languages"):
            values["languages"] = tuple(kiosk.string_list("languages", allowed=SUPPORTED_LANGUAGES))
        if kiosk.has("default_language"):
            values["default_language"] = kiosk.choice("default_language", SUPPORTED_LANGUAGES)
        if kiosk.has("idle_timeout_seconds"):
            values["idle_timeout_seconds"] = kiosk.integer("idle_timeout_seconds", 15, 3600)
        if kiosk.has("data_dir"):
            values["data_dir"] = Path(kiosk.string("data_dir")).expanduser()
        return values


@record
class RetentionSection:
    """[retention]: how long visits, their email and notes, and the audit trail are kept."""

    TABLE: ClassVar[str] = "retention"
    retention_days: int = 30
    email_retention_days: int = 0  # 0 = as long as the visit
    notes_retention_days: int = 0  # free-text purpose; 0 = as long as the visit
    audit_retention_days: int = 365

    @staticmethod
    def parse(retention: Section, source: str) -> dict[str, Any]:
        retention.only("days", "email_days", "notes_days", "audit_days")
        values: dict[str, Any] = {}
        if retention.has("days"):
            values["retention_days"] = retention.integer("days", 1, MAX_RETENTION_DAYS)
        days = values.get("retention_days", RetentionSection.retention_days)
        for key, name in (
            ("email_days", "email_retention_days"),
            ("notes_days", "notes_retention_days"),
        ):
            if retention.has(key):
                values[name] = retention.integer(key, 1, days)
        if retention.has("audit_days"):
            values["audit_retention_days"] = retention.integer("audit_days", 30, 3650)
        return values


@record
class PrinterSection:
    """[printer]: the badge printer, its label, and a CUPS queue for A4 pages."""

    TABLE: ClassVar[str] = "printer"
    printer_backend: str = "file"
    printer_label: str = "dk-11202"
    printer_name: str = "lobby"
    printer_target: str = ""  # tcp://host:9100 or a USB device path (brother, zebra)
    printer_model: str = "QL-820NWB"
    printer_queue: str = ""  # CUPS queue name
    printer_cups_server: str = ""  # host:port of a CUPS server; "" = the local default
    printer_pages_queue: str = ""  # CUPS queue for A4 pages (the roll call)
    printer_timeout: float = 10.0
    printer_status_check: bool = True

    @staticmethod
    def parse(printer: Section, source: str) -> dict[str, Any]:
        printer.only(
            "backend",
            "label",
            "name",
            "target",
            "model",
            "queue",
            "cups_server",
            "pages_queue",
            "timeout_seconds",
            "status_check",
        )
        values: dict[str, Any] = {}
        if printer.has("backend"):
            values["printer_backend"] = printer.choice("backend", PRINTER_BACKENDS)
        if printer.has("label"):
            values["printer_label"] = printer.choice("label", label_names())
        if printer.has("model"):
            values["printer_model"] = printer.choice("model", brother_models())
        if printer.has("timeout_seconds"):
            values["printer_timeout"] = float(printer.integer("timeout_seconds", 1, 120))
        if printer.has("status_check"):
            values["printer_status_check"] = printer.boolean("status_check")
        values |= printer.pick(
            name="printer_name",
            target="printer_target",
            queue="printer_queue",
            cups_server="printer_cups_server",
            pages_queue="printer_pages_queue",
        )
        backend = values.get("printer_backend", PrinterSection.printer_backend)
        if backend in ("brother", "zebra") and not values.get("printer_target"):
            raise printer.fail(
                "target", 'set target = "tcp://PRINTER-ADDRESS:9100" (or a USB device)'
            )
        if backend == "cups" and not values.get("printer_queue"):
            raise printer.fail("queue", "set queue to the CUPS queue name (see lpstat -p)")
        return values


@record
class HubSection:
    """[hub]: where minimal records go, with this kiosk's key and the fields it sends."""

    TABLE: ClassVar[str] = "hub"
    hub_url: str = ""
    hub_token: str = ""  # the per-kiosk bearer token ([hub] token or KIOSK_HUB_TOKEN)
    sync_fields: tuple[str, ...] = DEFAULT_SYNC_FIELDS

    @staticmethod
    def parse(hub: Section, source: str) -> dict[str, Any]:
        hub.only("url", "token", "fields")
        values: dict[str, Any] = {}
        if hub.has("url"):
            values["hub_url"] = hub_url(hub)
        if hub.has("token"):
            values["hub_token"] = hub.string("token")
        if hub.has("fields"):
            fields = hub.string_list("fields", allowed=SYNC_FIELDS)
            if "visit_id" not in fields:
                raise hub.fail("fields", "must include visit_id (the hub matches events by it)")
            values["sync_fields"] = tuple(fields)
        return values


@record
class BadgeSection:
    """[badge]: the access zone printed into tokens, and the site's signing key."""

    TABLE: ClassVar[str] = "badge"
    badge_zone: str = ""
    signing_key_file: Path | None = None

    @staticmethod
    def parse(badge: Section, source: str) -> dict[str, Any]:
        badge.only("zone", "signing_key_file")
        values: dict[str, Any] = {}
        if badge.has("zone"):
            values["badge_zone"] = badge.short_text("zone", MAX_ZONE_BYTES)
        if badge.has("signing_key_file"):
            values["signing_key_file"] = Path(badge.string("signing_key_file")).expanduser()
        return values


@record
class CheckoutSection:
    """[checkout]: when everyone still on site is checked out automatically."""

    TABLE: ClassVar[str] = "checkout"
    auto_checkout_time: str = "23:59"

    @staticmethod
    def parse(checkout: Section, source: str) -> dict[str, Any]:
        checkout.only("auto_time")
        if checkout.has("auto_time"):
            return {"auto_checkout_time": checkout.clock_time("auto_time")}
        return {}


@record
class DirectorySection:
    """[directory]: how a guest finds their host."""

    TABLE: ClassVar[str] = "directory"
    host_picker: str = "search"

    @staticmethod
    def parse(directory: Section, source: str) -> dict[str, Any]:
        directory.only("picker")
        if directory.has("picker"):
            return {"host_picker": directory.choice("picker", ("search", "list"))}
        return {}


@record
class NotifySection:
    """[notify]: how hosts (and, if they ask, visitors) are told; apprise does the sending."""

    TABLE: ClassVar[str] = "notify"
    notify_email_url: str = ""
    notify_visitor_name: str = "full"
    notify_give_up_hours: int = 24
    visitor_copy: bool = False

    @staticmethod
    def parse(notify: Section, source: str) -> dict[str, Any]:
        notify.only("email_url", "visitor_name", "give_up_after_hours", "visitor_copy")
        values: dict[str, Any] = {}
        if notify.has("email_url"):
            url = notify.text_or_empty("email_url")
            if url and not url.startswith(("mailto://", "mailtos://")):
                raise notify.fail("email_url", "use an apprise mail URL: mailto://… or mailtos://…")
            values["notify_email_url"] = url
        if notify.has("visitor_name"):
            values["notify_visitor_name"] = notify.choice("visitor_name", ("full", "initials"))
        if notify.has("give_up_after_hours"):
            values["notify_give_up_hours"] = notify.integer("give_up_after_hours", 1, 168)
        if notify.has("visitor_copy"):
            values["visitor_copy"] = notify.boolean("visitor_copy")
        return values


@record
class TablesSection:
    """[[purposes]], [[hosts]], [[companies]]: the site's lists."""

    purposes: tuple[Purpose, ...] = DEFAULT_PURPOSES
    hosts: tuple[Host, ...] = DEFAULT_HOSTS
    companies: tuple[Company, ...] = ()

    @staticmethod
    def parse_lists(top: Section, source: str, site_retention: int) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if top.has("purposes"):
            values["purposes"] = tuple(tables.purpose(item) for item in top.tables("purposes"))
            tables.check_unique([p.key for p in values["purposes"]], "purposes", source)
        if top.has("companies"):
            values["companies"] = tuple(
                tables.company(item, site_retention) for item in top.tables("companies")
            )
            tables.check_unique([c.id for c in values["companies"]], "companies", source)
        if top.has("hosts"):
            values["hosts"] = tuple(tables.host(item) for item in top.tables("hosts"))
            tables.check_unique([h.id for h in values["hosts"]], "hosts", source)
        tables.check_host_companies(values.get("hosts", ()), values.get("companies", ()), source)
        return values


# The [table] sections in the order they are read (the lists come after, they need retention).
SECTIONS = (
    SiteSection,
    ControllerSection,
    KioskSection,
    RetentionSection,
    PrinterSection,
    HubSection,
    BadgeSection,
    CheckoutSection,
    DirectorySection,
    NotifySection,
)
