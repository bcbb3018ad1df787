"""The check-in itself: validate, then commit the visit and its acknowledgement in one go.

Synchronous and fast on purpose (one SQLite transaction); the UI runs it in a worker thread so the
screen never waits on the disk. Printing, host notification and hub sync are not done here: they
are queued as outbox rows in the same transaction and drained by workers.
"""

from __future__ import annotations

from datetime import datetime

from kiosk import audit
from kiosk.badges import BadgeTokens
from kiosk.config import Config
from kiosk.denylist import DenyList
from kiosk.hosts import HostDirectory
from kiosk.i18n import Translator
from kiosk.logs import logger
from kiosk.models import CheckinForm, NoticeVersion, Visit
from kiosk.notices import render_company_notice, render_notice
from kiosk.outbox import jobs_for_visit
from kiosk.records import record
from kiosk.store import CheckinRecord, Store
from kiosk.timeutil import Clock, days_later, utc_now
from kiosk.validation import validate
from kiosk.wire import new_visit_id

log = logger(__name__)


class SeeFrontDeskError(PermissionError):
    """The guest must see the front desk; the message says only that (never why)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoticeNotAcknowledgedError(PermissionError):
    """Storing personal data without the current notice acknowledged is never allowed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@record
class CheckinRequest:
    """What a guest (or staff for them) submits: the form, the notices they acknowledged, and
    how the check-in came about."""

    form: CheckinForm
    notice: NoticeVersion | None
    company_notice: NoticeVersion | None = None
    print_badge: bool = True
    visitor_copy: bool = False  # the guest ticked "Email me a copy"
    assisted_by: str = ""  # the staff id, when staff check the guest in
    notice_on_paper: bool = False  # assisted: staff handed over the printed notice
    invitation_code: str = ""  # the invitation this check-in fulfils


@record
class CheckinResult:
    visit: Visit
    host_name: str
    purpose_label: str
    badge_token: str = ""  # signed by the site's key; "" where the service has no key ring
    invitation_used: bool = False


class CheckinService:
    """Builds and stores visits. Takes its store, config, clock and host directory."""

    def __init__(
        self,
        store: Store,
        config: Config,
        clock: Clock = utc_now,
        directory: HostDirectory | None = None,
        deny_list: DenyList | None = None,
        tokens: BadgeTokens | None = None,
    ) -> None:
        self._store = store
        self._tokens = tokens
        self._config = config
        self._clock = clock
        self.directory = directory or HostDirectory(store, config)
        self._deny_list = deny_list
        self._notices: dict[tuple[str, str], NoticeVersion] = {}

    def current_notice(self, language: str) -> NoticeVersion:
        """The site's notice in force; the config is immutable, so each renders once."""
        key = (language, "")
        if key not in self._notices:
            self._notices[key] = render_notice(self._config, language)
        return self._notices[key]

    def company_notice(self, language: str, host_id: str) -> NoticeVersion | None:
        """The host's company's part of the notice, on a shared-building site."""
        company = self.directory.company_of(host_id)
        if company is None:
            return None
        key = (language, company.id)
        if key not in self._notices:
            self._notices[key] = render_company_notice(self._config, company, language)
        return self._notices[key]

    def check_in(
        self,
        form: CheckinForm,
        notice: NoticeVersion | None,
        company_notice: NoticeVersion | None = None,
        *,
        print_badge: bool = True,
        visitor_copy: bool = False,
        assisted_by: str = "",
        notice_on_paper: bool = False,
    ) -> CheckinResult:
        """``submit`` with the request spelled out as arguments (scripts and tests)."""
        return self.submit(
            CheckinRequest(
                form,
                notice,
                company_notice,
                print_badge=print_badge,
                visitor_copy=visitor_copy,
                assisted_by=assisted_by,
                notice_on_paper=notice_on_paper,
            )
        )

    def submit(self, request: CheckinRequest) -> CheckinResult:
        """Validate the form and store the visit, if the notices acknowledged are those in force
        (the site's, and the host's company's where it has one): visit, acknowledgement,
        invitation use, a near-match alert, outbox jobs and audit entry in one transaction. The
        result carries the signed badge token, so no caller signs or marks anything itself.

        Raises ``ValidationError`` (per-field messages), ``NoticeNotAcknowledgedError`` or
        ``SeeFrontDeskError``; in each case no visit has been written.

        A guest waits for it, so the store's background work (the purge's badge shredding)
        gives way while it runs.
        """
        with self._store.give_way.foreground():
            return self._submit(request)

    def _submit(self, request: CheckinRequest) -> CheckinResult:
        form, notice, company_notice = request.form, request.notice, request.company_notice
        assisted_by, notice_on_paper = request.assisted_by, request.notice_on_paper
        clean = validate(form, self._config, self.directory.is_active)
        current = self.current_notice(clean.language)
        company_current = self.company_notice(clean.language, clean.host_id)
        acknowledged = (notice.version if notice else None, _version(company_notice))
        if acknowledged != (current.version, _version(company_current)):
            raise NoticeNotAcknowledgedError(
                Translator(clean.language)("errors.notice_not_accepted")
            )
        now = self._clock()
        denied = self._deny_list.check(clean.name, clean.email, now) if self._deny_list else None
        if denied is not None and denied.exact:
            self._store.add_alert(now, "denied", denied.deny_id, None)
            log.warning("check-in refused by deny entry %s; staff alerted", denied.deny_id)
            raise SeeFrontDeskError(Translator(clean.language)("errors.see_front_desk"))
        company = self.directory.company_of(clean.host_id)
        days = min(
            (company.retention_days if company else 0) or self._config.retention_days,
            self._config.retention_days,
        )
        zone = self._config.zone

        def field_deadline(field_days: int) -> datetime | None:
            return days_later(now, field_days, zone) if 0 < field_days < days else None

        visit = Visit(
            id=new_visit_id(now),
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
            purge_after=days_later(now, days, zone),
            company_id=company.id if company else "",
            email_purge_after=field_deadline(self._config.email_retention_days),
            notes_purge_after=field_deadline(self._config.notes_retention_days),
        )
        local_day = now.astimezone(self._config.zone).date().isoformat()
        notices = [current] + ([company_current] if company_current else [])
        wants_copy = request.visitor_copy and self._config.offers_visitor_copy
        jobs = jobs_for_visit(self._config, now, request.print_badge, wants_copy)
        if notice_on_paper and not assisted_by:
            raise ValueError("only staff can record a notice given on paper")
        how = "paper" if notice_on_paper else "screen"
        actor = f"staff:{assisted_by}" if assisted_by else "guest"
        trail = audit.entry(now, "checkin", actor, visit.id, f"notice={current.version} ({how})")
        host = self.directory.get(visit.host_id)
        department = host.department if host else ""
        used = self._store.record_checkin(
            CheckinRecord(
                visit,
                notices,
                local_day,
                jobs,
                now,
                department=department,
                shown_on=how,
                actor=actor,
                audit_entry=trail,
                sealer=audit.seal,
                invitation_code=request.invitation_code,
                # a near match: admitted, but staff should look
                near_match=denied.deny_id if denied is not None else "",
            )
        )
        log.info(
            "visit %s checked in (purpose=%s, host=%s)", visit.id, visit.purpose, visit.host_id
        )
        purpose = self._config.purpose(visit.purpose)
        return CheckinResult(
            visit,
            host.name if host else visit.host_id,
            purpose.label(visit.language) if purpose else visit.purpose,
            self._tokens.token_for(visit) if self._tokens else "",
            used,
        )

    def publish_notices(self) -> list[NoticeVersion]:
        """Store every notice this kiosk can show, before any guest sees one, so any notice
        ever shown can be produced later, and showing or declining one writes nothing."""
        notices = [self.current_notice(language) for language in self._config.languages]
        for company in self._config.companies:
            notices += [
                render_company_notice(self._config, company, language)
                for language in self._config.languages
            ]
        for notice in notices:
            self._store.save_notice(notice, self._clock())
        return notices

    def housekeeping(self) -> None:
        """Work that may follow a check-in but must not delay it: keep the WAL short."""
        self._store.checkpoint(truncate=False)


def _version(notice: NoticeVersion | None) -> str | None:
    return notice.version if notice else None
