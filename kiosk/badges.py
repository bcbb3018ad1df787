"""Badges: the signed token for a visit, what is printed around it, and checking one.

Shared by the screen, the printer and the CLI, so a badge reads the same everywhere.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from kiosk.config import Config
from kiosk.i18n import Translator
from kiosk.keys import KeyRing
from kiosk.models import BadgeContent, Visit
from kiosk.qr import write_qr_png
from kiosk.store import Store
from kiosk.tokens import Claims, Verification, issue, short_code, site_tag, verify


def end_of_visit_day(checked_in_at: datetime, config: Config) -> datetime:
    """Badges expire at the end of the day of the visit, in the site's time zone."""
    local = checked_in_at.astimezone(config.zone)
    next_midnight = datetime.combine(local.date() + timedelta(days=1), time(), config.zone)
    return next_midnight


class BadgeTokens:
    """Issues and checks the signed tokens of one site."""

    def __init__(self, keys: KeyRing, config: Config, store: Store) -> None:
        self._keys = keys
        self._config = config
        self._store = store

    def token_for(self, visit: Visit) -> str:
        claims = Claims(
            key_id=self._keys.current_kid,
            visit_id=visit.id,
            site_tag=site_tag(visit.site),
            valid_from=visit.checked_in_at,
            expires=end_of_visit_day(visit.checked_in_at, self._config),
            zone=self._config.badge_zone,
        )
        return issue(claims, self._keys.private_key)

    def qr_png(self, visit: Visit) -> Path:
        """The badge QR as a PNG in the spool: the attachment of the visitor's emailed copy."""
        self._config.spool_dir.mkdir(parents=True, exist_ok=True)
        return write_qr_png(
            self.token_for(visit), self._config.spool_dir / f"badge-{visit.id}.qr.png"
        )

    def check(self, token: str, now: datetime) -> Verification:
        return verify(
            token,
            self._keys.public_keys(),
            site_tag(self._config.site_name),
            now,
            self._store.is_revoked,
        )

    def content(self, visit: Visit, host_name: str) -> BadgeContent:
        """Labels in every configured language (a badge is read by staff as well as the guest);
        the date in the site's time zone, in ISO form that reads the same in both languages."""
        translators = [Translator(lang) for lang in self._config.languages]
        local = visit.checked_in_at.astimezone(self._config.zone)
        return BadgeContent(
            name=visit.name,
            host_name=host_name,
            date_text=local.strftime("%Y-%m-%d"),
            payload=self.token_for(visit),
            short_code=short_code(visit.id),
            site_name=self._config.site_name,
            visitor_label=" ".join(tr("printed.visitor") for tr in translators),
            host_label=" ".join(tr("printed.host") for tr in translators),
        )
