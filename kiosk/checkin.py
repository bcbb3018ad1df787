"""The check-in itself: validate, then commit the visit and its acknowledgement in one go.

Synchronous and fast on purpose (one SQLite transaction); the UI runs it in a worker thread so the
screen never waits on the disk. Printing, host notification and hub sync are not done here: they
are queued as outbox rows in the same transaction and drained by workers.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from kiosk.config import Config
from kiosk.i18n import Translator
from kiosk.models import CheckinForm, NoticeVersion, Visit
from kiosk.notices import render_notice
from kiosk.store import Store
from kiosk.timeutil import Clock, utc_now
from kiosk.validation import validate

log = logging.getLogger(__name__)


class NoticeNotAcknowledgedError(PermissionError):
    """Storing personal data without the current notice acknowledged is never allowed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckinResult:
    visit: Visit
    host_name: str
    purpose_label: str


class CheckinService:
    """Builds and stores visits. Takes its store, config and clock; owns no global state."""

    def __init__(self, store: Store, config: Config, clock: Clock = utc_now) -> None:
        self._store = store
        self._config = config
        self._clock = clock
        self._notices: dict[str, NoticeVersion] = {}

    def current_notice(self, language: str) -> NoticeVersion:
        """The notice in force; the config is immutable, so each language renders once."""
        if language not in self._notices:
            self._notices[language] = render_notice(self._config, language)
        return self._notices[language]

    def check_in(
        self,
        form: CheckinForm,
        notice: NoticeVersion | None,
        *,
        print_badge: bool = True,
    ) -> CheckinResult:
        """Validate ``form`` and store the visit, if ``notice`` is the one now in force.

        Raises ``ValidationError`` (per-field messages) or ``NoticeNotAcknowledgedError``; in
        both cases nothing has been written.
        """
        clean = validate(form, self._config)
        current = self.current_notice(clean.language)
        if notice is None or notice.version != current.version:
            raise NoticeNotAcknowledgedError(
                Translator(clean.language)("errors.notice_not_accepted")
            )
        now = self._clock()
        visit = Visit(
            id=str(uuid.uuid4()),
            site=self._config.site_name,
            kiosk_id=self._config.kiosk_id,
            host_id=clean.host_id,
            purpose=clean.purpose,
            purpose_text=clean.purpose_text,
            name=clean.name,
            email=clean.email,
            language=clean.language,
            notice_version=current.version,
            checked_in_at=now,
            purge_after=now + timedelta(days=self._config.retention_days),
        )
        local_day = now.astimezone(self._config.zone).date().isoformat()
        self._store.record_checkin(visit, current, local_day, self._outbox_kinds(print_badge), now)
        log.info(
            "visit %s checked in (purpose=%s, host=%s)", visit.id, visit.purpose, visit.host_id
        )
        host = self._config.host(visit.host_id)
        purpose = self._config.purpose(visit.purpose)
        return CheckinResult(
            visit,
            host.name if host else visit.host_id,
            purpose.label(visit.language) if purpose else visit.purpose,
        )

    def publish_notices(self) -> list[NoticeVersion]:
        """Store every notice this kiosk can show, before any guest sees one, so any notice
        ever shown can be produced later, and showing or declining one writes nothing."""
        notices = [self.current_notice(language) for language in self._config.languages]
        for notice in notices:
            self._store.save_notice(notice, self._clock())
        return notices

    def housekeeping(self) -> None:
        """Work that may follow a check-in but must not delay it: keep the WAL short."""
        self._store.checkpoint(truncate=False)

    def _outbox_kinds(self, print_badge: bool) -> list[str]:
        kinds = ["notify"]
        if print_badge and self._config.printer_backend != "none":
            kinds.append("print")
        if self._config.hub_url:
            kinds.append("sync")
        return kinds
