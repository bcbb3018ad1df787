"""Site configuration: a TOML file over built-in defaults, so the kiosk runs with no file at all.

Every value is checked when the file is read. A wrong value is reported with the file, the key and
what is allowed (``ConfigError``), because the person fixing it is an office manager with a text
editor, not a developer reading a traceback. Unknown keys are errors too: a typo must not silently
fall back to a default (for example a retention period).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk import config_tables as tables
from kiosk.catalogue import brother_models, label_names
from kiosk.config_checks import check_timezone, hub_url, read_toml
from kiosk.config_reader import ConfigError, Section
from kiosk.config_tables import MAX_RETENTION_DAYS, MAX_ZONE_BYTES, SUPPORTED_LANGUAGES
from kiosk.models import Company, Host, Purpose
from kiosk.wire import DEFAULT_SYNC_FIELDS, SYNC_FIELDS

__all__ = ["Config", "ConfigError", "load_config", "production_problem"]

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


def default_data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "lobby-kiosk"


@dataclass(frozen=True)
class Config:
    """Everything the kiosk needs to know about its site, typed and already validated."""

    site_name: str = "Demo Tower"
    kiosk_id: str = "lobby-1"
    timezone: str = "Asia/Taipei"
    controller_name: str = "Demo Coworking Ltd."
    privacy_contact: str = "privacy@example.com"
    controller_address: str = "1 Demo Road, Taipei"
    # Named in the notice as where a guest may complain (GDPR Art. 13(2)(d)).
    supervisory_authority: str = "個人資料保護委員會 (Personal Data Protection Commission, Taiwan)"
    languages: tuple[str, ...] = SUPPORTED_LANGUAGES
    default_language: str = "zh-TW"
    idle_timeout_seconds: int = 60
    lockdown: bool = False
    retention_days: int = 30
    email_retention_days: int = 0  # 0 = as long as the visit
    notes_retention_days: int = 0  # free-text purpose; 0 = as long as the visit
    audit_retention_days: int = 365
    purposes: tuple[Purpose, ...] = DEFAULT_PURPOSES
    hosts: tuple[Host, ...] = DEFAULT_HOSTS
    companies: tuple[Company, ...] = ()
    host_picker: str = "search"
    notify_email_url: str = ""
    notify_visitor_name: str = "full"
    notify_give_up_hours: int = 24
    visitor_copy: bool = False
    printer_backend: str = "file"
    printer_label: str = "dk-11202"
    printer_name: str = "lobby"
    printer_target: str = ""  # tcp://host:9100 or a USB device path (brother, zebra)
    printer_model: str = "QL-820NWB"
    printer_queue: str = ""  # CUPS queue name
    printer_cups_server: str = ""  # host:port of a CUPS server; "" = the local default
    printer_pages_queue: str = ""  # CUPS queue for A4 pages (the roll call); see pages_queue()
    printer_timeout: float = 10.0
    printer_status_check: bool = True
    hub_url: str = ""
    hub_token: str = ""  # the per-kiosk bearer token ([hub] token or KIOSK_HUB_TOKEN)
    sync_fields: tuple[str, ...] = DEFAULT_SYNC_FIELDS
    badge_zone: str = ""
    signing_key_file: Path | None = None
    auto_checkout_time: str = "23:59"
    data_dir: Path = field(default_factory=lambda: default_data_dir(os.environ))
    source: str = "built-in defaults"
    # True while the controller and privacy contact are the built-in examples: the kiosk then
    # says "demo configuration" on Welcome and in the notice, and refuses lockdown.
    demo: bool = True

    @property
    def database_path(self) -> Path:
        return self.data_dir / "kiosk.db"

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def offers_visitor_copy(self) -> bool:
        """A copy is offered only where it can be sent: with a mail server configured. Offered
        without one, it would be accepted at the kiosk and silently given up later."""
        return self.visitor_copy and bool(self.notify_email_url)

    def purpose(self, key: str) -> Purpose | None:
        return next((p for p in self.purposes if p.key == key), None)

    def company(self, company_id: str) -> Company | None:
        return next((c for c in self.companies if c.id == company_id), None)


def load_config(
    config_file: Path | None = None,
    data_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Build the Config: command-line values beat environment, environment beats the file."""
    env = os.environ if env is None else env
    if config_file is None and env.get("KIOSK_CONFIG"):
        config_file = Path(env["KIOSK_CONFIG"])
    raw: dict[str, Any] = {}
    source = "built-in defaults"
    if config_file is not None:
        raw = read_toml(config_file)
        source = str(config_file)
    values = _parse(Section(raw, source, ""), source)
    if data_dir is None and env.get("KIOSK_DATA_DIR"):
        data_dir = Path(env["KIOSK_DATA_DIR"])
    if data_dir is not None:
        values["data_dir"] = data_dir
    elif "data_dir" not in values:
        values["data_dir"] = default_data_dir(env)
    if env.get("KIOSK_HUB_TOKEN"):
        values["hub_token"] = env["KIOSK_HUB_TOKEN"]  # a secret is better kept out of the file
    demo = not all(key in values for key in PRODUCTION_KEYS.values())
    if not demo:
        values.setdefault("controller_address", "")  # never the demo address in a real notice
    return Config(**values, source=source, demo=demo)


# What a kiosk for real visitors must name itself (the notice is about them): [controller] keys.
PRODUCTION_KEYS = {"name": "controller_name", "privacy_contact": "privacy_contact"}


def production_problem(config: Config) -> str:
    """Why this config must not face real visitors unattended, or "" when it may."""
    if not config.demo:
        return ""
    keys = " and ".join(f"[controller] {key}" for key in PRODUCTION_KEYS)
    return (
        f"{config.source}: a kiosk in lockdown or under supervision faces real visitors, so its "
        f"privacy notice must name who is responsible: set {keys} (the demo values are only "
        "for trying the kiosk out)"
    )


def _parse(top: Section, source: str) -> dict[str, Any]:
    top.only(
        "site",
        "controller",
        "kiosk",
        "retention",
        "purposes",
        "hosts",
        "printer",
        "hub",
        "badge",
        "checkout",
        "companies",
        "directory",
        "notify",
    )
    values: dict[str, Any] = {}
    site = top.section("site")
    site.only("name", "kiosk_id", "timezone")
    values |= site.pick(name="site_name", kiosk_id="kiosk_id", timezone="timezone")
    if "kiosk_id" in values and not KIOSK_ID.fullmatch(values["kiosk_id"]):
        raise site.fail("kiosk_id", "use 1 to 64 of a-z 0-9 - _ . (it names files and records)")
    if "timezone" in values:
        check_timezone(values["timezone"], source)

    controller = top.section("controller")
    controller.only("name", "privacy_contact", "address", "supervisory_authority")
    values |= controller.pick(
        name="controller_name",
        privacy_contact="privacy_contact",
        address="controller_address",
        supervisory_authority="supervisory_authority",
    )

    kiosk = top.section("kiosk")
    kiosk.only("languages", "default_language", "idle_timeout_seconds", "data_dir", "lockdown")
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

    retention = top.section("retention")
    retention.only("days", "email_days", "notes_days", "audit_days")
    if retention.has("days"):
        values["retention_days"] = retention.integer("days", 1, MAX_RETENTION_DAYS)
    days = values.get("retention_days", Config.retention_days)
    for key, name in (
        ("email_days", "email_retention_days"),
        ("notes_days", "notes_retention_days"),
    ):
        if retention.has(key):
            values[name] = retention.integer(key, 1, days)
    if retention.has("audit_days"):
        values["audit_retention_days"] = retention.integer("audit_days", 30, 3650)

    values |= _parse_devices(top)

    values |= _parse_tables(top, source, values.get("retention_days", Config.retention_days))
    _check_languages(values, source)
    return values


def _parse_devices(top: Section) -> dict[str, Any]:
    """Printer, hub, badge and check-out settings: how this kiosk talks to the world."""
    values: dict[str, Any] = {}
    values |= _parse_printer(top.section("printer"))

    hub = top.section("hub")
    hub.only("url", "token", "fields")
    if hub.has("url"):
        values["hub_url"] = hub_url(hub)
    if hub.has("token"):
        values["hub_token"] = hub.string("token")
    if hub.has("fields"):
        fields = hub.string_list("fields", allowed=SYNC_FIELDS)
        if "visit_id" not in fields:
            raise hub.fail("fields", "must include visit_id (the hub matches events by it)")
        values["sync_fields"] = tuple(fields)

    badge = top.section("badge")
    badge.only("zone", "signing_key_file")
    if badge.has("zone"):
        values["badge_zone"] = badge.short_text("zone", MAX_ZONE_BYTES)
    if badge.has("signing_key_file"):
        values["signing_key_file"] = Path(badge.string("signing_key_file")).expanduser()

    checkout = top.section("checkout")
    checkout.only("auto_time")
    if checkout.has("auto_time"):
        values["auto_checkout_time"] = checkout.clock_time("auto_time")

    directory = top.section("directory")
    directory.only("picker")
    if directory.has("picker"):
        values["host_picker"] = directory.choice("picker", ("search", "list"))
    return values | _parse_notify(top)


def _parse_notify(top: Section) -> dict[str, Any]:
    """How hosts (and, if they ask, visitors) are told: apprise does the sending."""
    values: dict[str, Any] = {}
    notify = top.section("notify")
    notify.only("email_url", "visitor_name", "give_up_after_hours", "visitor_copy")
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


def _parse_printer(printer: Section) -> dict[str, Any]:
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
    backend = values.get("printer_backend", Config.printer_backend)
    if backend in ("brother", "zebra") and not values.get("printer_target"):
        raise printer.fail("target", 'set target = "tcp://PRINTER-ADDRESS:9100" (or a USB device)')
    if backend == "cups" and not values.get("printer_queue"):
        raise printer.fail("queue", "set queue to the CUPS queue name (see lpstat -p)")
    return values


def _parse_tables(top: Section, source: str, site_retention: int) -> dict[str, Any]:
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


def _check_languages(values: dict[str, Any], source: str) -> None:
    languages = values.get("languages", SUPPORTED_LANGUAGES)
    if not languages:
        raise ConfigError(
            f"{source}: [kiosk] languages must name at least one of {list(SUPPORTED_LANGUAGES)}"
        )
    if "default_language" in values:
        if values["default_language"] not in languages:
            raise ConfigError(
                f"{source}: [kiosk] default_language = {values['default_language']!r} is not one "
                f"of languages = {list(languages)}"
            )
    elif Config.default_language not in languages:
        values["default_language"] = languages[0]
