"""Check-out: by badge (scanned token), by the short code under the QR, by visit id, or
automatically at the end of the day, so on-site and evacuation lists stay true.

A checked-out visit's badge is revoked at once: a verifier on this kiosk answers "revoked".
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from kiosk import audit
from kiosk.badges import BadgeTokens, end_of_visit_day
from kiosk.config import Config
from kiosk.errors import GuestFacingError
from kiosk.logs import logger
from kiosk.models import Visit
from kiosk.store import Store
from kiosk.timeutil import Clock, clock_time, utc_now
from kiosk.tokens import PREFIX, Verdict, short_code

log = logger(__name__)
_SHORT_CODE = re.compile(r"^[0-9A-F]{8}$")


class CheckoutError(GuestFacingError):
    """Why a check-out did not happen."""


class CheckoutService:
    def __init__(
        self, store: Store, config: Config, tokens: BadgeTokens, clock: Clock = utc_now
    ) -> None:
        self._store = store
        self._config = config
        self._tokens = tokens
        self._clock = clock

    def find(self, code: str) -> Visit:
        """The on-site visit a scanned token, typed short code or visit id points to."""
        text = code.strip()[:512]
        if text.upper().startswith(PREFIX):
            checked = self._tokens.check(text, self._clock())
            if checked.claims is None or checked.verdict not in (Verdict.VALID, Verdict.REVOKED):
                raise CheckoutError("checkout.invalid_badge")
            visit = self._store.visit(checked.claims.visit_id)
        else:
            visit = self._by_code(text.replace("-", "").replace(" ", "").upper(), text)
        if visit is None:
            raise CheckoutError("checkout.not_found")
        if visit.checked_out_at is not None:
            raise CheckoutError("checkout.already")
        return visit

    def _by_code(self, compact: str, text: str) -> Visit | None:
        if _SHORT_CODE.match(compact):
            matches = [
                v for v in self._store.visits(on_site_only=True) if short_code(v.id) == compact
            ]
            return matches[0] if len(matches) == 1 else None
        try:
            return self._store.visit(str(uuid.UUID(text)))
        except ValueError:
            return None

    def check_out(self, code: str, kind: str = "guest", actor: str = "guest") -> Visit:
        visit = self.find(code)
        now = self._clock()
        expires = end_of_visit_day(visit.checked_in_at, self._config)
        if not self._store.check_out(visit.id, now, kind, expires, bool(self._config.hub_url)):
            raise CheckoutError("checkout.already")
        audit.record(self._store, now, "checkout", actor, visit.id, kind)
        log.info("visit %s checked out (%s)", visit.id, kind)
        return visit

    def staff_check_out(self, visit_id: str, staff: str) -> bool:
        """Staff check a visitor out from the on-site list: one of this kiosk's visits, or (with
        a hub) one another kiosk of the site checked in, which the hub is told about."""
        actor = f"staff:{staff}"
        if self._store.visit(visit_id) is not None:
            try:
                self.check_out(visit_id, kind="staff", actor=actor)
            except CheckoutError:
                return False  # already checked out meanwhile
            return True
        if not self._config.hub_url:
            return False
        now = self._clock()
        if not self._store.record_remote_checkout(visit_id, now, actor):
            return False
        audit.record(self._store, now, "checkout", actor, visit_id, "other kiosk")
        return True

    def auto_check_out(self, now: datetime | None = None) -> int:
        """Check out everyone still on site whose visit day reached the configured time."""
        if not self._config.auto_checkout_time:
            return 0
        now = now or self._clock()
        at = clock_time(self._config.auto_checkout_time)
        count = 0
        for visit in self._store.visits(on_site_only=True):
            day = visit.checked_in_at.astimezone(self._config.zone).date()
            cutoff = datetime.combine(day, at, self._config.zone)
            if now >= cutoff:
                expires = end_of_visit_day(visit.checked_in_at, self._config)
                if self._store.check_out(
                    visit.id, cutoff, "auto", expires, bool(self._config.hub_url)
                ):
                    audit.record(self._store, now, "checkout", "system", visit.id, "auto")
                    count += 1
        if count:
            log.info("auto check-out: %d visits", count)
        return count
