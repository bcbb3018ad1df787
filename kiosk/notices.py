"""Just-in-time privacy notices: a shipped template per language, filled from the site config.

The version of a notice is a hash of the exact text the guest read, so "which notice did this
person accept" can always be answered with the words themselves, not a label someone forgot to
bump. Every version shown is stored (see ``Store.save_notice``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from kiosk import assets
from kiosk.config import Config
from kiosk.digest import sha256_hex
from kiosk.i18n import Translator
from kiosk.models import Company, NoticeVersion


def notice_version(text: str) -> str:
    """Short, stable id of a notice text (first 16 hex digits of its SHA-256)."""
    return sha256_hex(text.encode("utf-8"))[:16]


def render_notice(config: Config, language: str) -> NoticeVersion:
    """The notice a guest reads before anything about them is stored."""
    tr = Translator(language)
    hub = urlsplit(config.hub_url).hostname if config.hub_url else ""
    template = assets.read_text("notices", f"{language}.md")
    text = template.format_map(
        {
            "controller": config.controller_name,
            "address": _address(config.controller_address, language),
            "contact": config.privacy_contact,
            "authority": config.supervisory_authority,
            "site": config.site_name,
            "days": config.retention_days,
            "hub_recipient": tr("notice.hub_recipient", hub=hub) if hub else "",
            "hub_operator": tr("notice.hub_operator") if hub else "",
            "visitor_copy": tr("notice.visitor_copy") if config.offers_visitor_copy else "",
        }
    ).strip()
    if config.demo:  # the controller above is an example: nobody should rely on this notice
        text = f"**{tr('notice.demo')}**\n\n{text}"
    return NoticeVersion(notice_version(text), language, text)


def render_company_notice(config: Config, company: Company, language: str) -> NoticeVersion:
    """The part a tenant company adds after the guest picks one of its people: it receives the
    visit too, answers for it itself, and may keep it for a shorter time."""
    tr = Translator(language)
    days = company.retention_days or config.retention_days
    template = assets.read_text("notices", f"company-{language}.md")
    text = template.format_map(
        {
            "company": company.name,
            "contact": company.privacy_contact,
            "days": days,
            "policy": tr("notice.company_policy", url=company.policy_url)
            if company.policy_url
            else "",
            "addendum": company.addenda.get(language, ""),
        }
    ).strip()
    return NoticeVersion(notice_version(text), language, text)


def _address(address: str, language: str) -> str:
    """The controller's address after its name, or nothing where the site gave none."""
    if not address:
        return ""
    return f"（{address}）" if language == "zh-TW" else f", {address}"
