"""What goes on a visitor badge, decided once for the screen and the printer alike."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.config import Config
from kiosk.i18n import Translator
from kiosk.models import Visit
from kiosk.tokens import badge_payload, short_code


@dataclass(frozen=True)
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


def badge_content(visit: Visit, host_name: str, config: Config) -> BadgeContent:
    """Labels in every configured language (a badge is read by staff as well as the guest);
    the date in the site's time zone, in ISO form that reads the same in both languages."""
    translators = [Translator(lang) for lang in config.languages]
    local = visit.checked_in_at.astimezone(config.zone)
    return BadgeContent(
        name=visit.name,
        host_name=host_name,
        date_text=local.strftime("%Y-%m-%d"),
        payload=badge_payload(visit.id),
        short_code=short_code(visit.id),
        site_name=config.site_name,
        visitor_label=" ".join(tr("printed.visitor") for tr in translators),
        host_label=" ".join(tr("printed.host") for tr in translators),
    )
