"""The list-valued parts of the site config: purposes, hosts and companies ([[...]] tables)."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.config_reader import ConfigError, Section
from kiosk.models import Company, Host, Purpose
from kiosk.wire import SUPPORTED_LANGUAGES

MAX_RETENTION_DAYS = 365
MAX_ZONE_BYTES = 16  # a badge's access zone, as the signed token stores it


def purpose(item: Section) -> Purpose:
    item.only("key", "en", "zh-TW", "free_text")
    labels = {lang: item.string(lang) for lang in SUPPORTED_LANGUAGES}
    free_text = item.boolean("free_text") if item.has("free_text") else False
    return Purpose(item.identifier("key"), labels, free_text=free_text)


def host(item: Section) -> Host:
    item.only("id", "name", "department", "email", "notify", "language", "active", "company")
    return Host(
        id=item.identifier("id"),
        name=item.string("name"),
        department=item.string("department") if item.has("department") else "",
        email=item.string("email") if item.has("email") else "",
        notify=tuple(item.free_list("notify")) if item.has("notify") else (),
        language=item.choice("language", SUPPORTED_LANGUAGES) if item.has("language") else "",
        active=item.boolean("active") if item.has("active") else True,
        company_id=item.identifier("company") if item.has("company") else "",
    )


def company(item: Section, site_retention: int) -> Company:
    item.only(
        "id",
        "name",
        "privacy_contact",
        "policy_url",
        "addendum_en",
        "addendum_zh-TW",
        "retention_days",
        "notify",
    )
    addenda = {
        language: item.string(f"addendum_{language}")
        for language in SUPPORTED_LANGUAGES
        if item.has(f"addendum_{language}")
    }
    retention = (
        item.integer("retention_days", 1, site_retention) if item.has("retention_days") else 0
    )
    return Company(
        id=item.identifier("id"),
        name=item.string("name"),
        privacy_contact=item.string("privacy_contact"),
        policy_url=item.string("policy_url") if item.has("policy_url") else "",
        addenda=addenda,
        retention_days=retention,
        notify=tuple(item.free_list("notify")) if item.has("notify") else (),
    )


def check_unique(keys: Sequence[str], what: str, source: str) -> None:
    if not keys:
        raise ConfigError(f"{source}: [[{what}]] must list at least one entry")
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ConfigError(
            f"{source}: [[{what}]] repeats {', '.join(duplicates)}: each must be unique"
        )


def check_host_companies(hosts: Sequence[Host], companies: Sequence[Company], source: str) -> None:
    known = {c.id for c in companies}
    for entry in hosts:
        if entry.company_id and entry.company_id not in known:
            raise ConfigError(
                f"{source}: [[hosts]] {entry.id}: company {entry.company_id!r} is not one of the "
                f"[[companies]] ({', '.join(sorted(known)) or 'none defined'})"
            )
