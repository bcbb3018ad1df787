"""Site configuration: a TOML file over built-in defaults, so the kiosk runs with no file at all.

Every value is checked when the file is read. A wrong value is reported with the file, the key and
what is allowed (``ConfigError``), because the person fixing it is an office manager with a text
editor, not a developer reading a traceback. Unknown keys are errors too: a typo must not silently
fall back to a default (for example a retention period).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.config_checks import read_toml
from kiosk.config_reader import ConfigError, Section
from kiosk.config_sections import (
    SECTIONS,
    BadgeSection,
    CheckoutSection,
    ControllerSection,
    DirectorySection,
    HubSection,
    KioskSection,
    NotifySection,
    PrinterSection,
    RetentionSection,
    SiteSection,
    TablesSection,
)
from kiosk.models import Company, Purpose
from kiosk.records import field, record
from kiosk.wire import SUPPORTED_LANGUAGES

__all__ = ["Config", "ConfigError", "load_config", "production_problem"]


def default_data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "lobby-kiosk"


@record
class Config(
    TablesSection,
    NotifySection,
    DirectorySection,
    CheckoutSection,
    BadgeSection,
    HubSection,
    PrinterSection,
    RetentionSection,
    KioskSection,
    ControllerSection,
    SiteSection,
):
    """Everything the kiosk needs to know about its site, typed and already validated: every
    section's fields (``kiosk.config_sections``), plus where its data lives and where the
    values came from."""

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
    elif "hub_token" not in values:
        values |= _enrolled_hub(values["data_dir"], values.get("hub_url", ""))
    demo = not all(key in values for key in PRODUCTION_KEYS.values())
    if not demo:
        values.setdefault("controller_address", "")  # never the demo address in a real notice
    return Config(**values, source=source, demo=demo)


ENROLMENT_FILE = "hub.json"  # written by ``kiosk enroll``: the hub's URL and this kiosk's key


def _enrolled_hub(data_dir: Path, hub_url: str) -> dict[str, Any]:
    """The key ``kiosk enroll`` got from the hub (and its URL, unless the config names one)."""
    path = data_dir / ENROLMENT_FILE
    if not path.exists():
        return {}
    try:
        enrolled = json.loads(path.read_text(encoding="utf-8"))
        return {"hub_url": hub_url or str(enrolled["url"]), "hub_token": str(enrolled["token"])}
    except (OSError, ValueError, KeyError, TypeError):
        raise ConfigError(f"{path}: not a kiosk enrolment (run kiosk enroll again)") from None


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
    top.only(*(section.TABLE for section in SECTIONS), "purposes", "hosts", "companies")
    values: dict[str, Any] = {}
    for section in SECTIONS:
        values |= section.parse(top.section(section.TABLE), source)
    days = values.get("retention_days", Config.retention_days)
    values |= TablesSection.parse_lists(top, source, days)
    _check_languages(values, source)
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
