"""Invitations: a host or the front desk expects a guest. The guest gets an email with a code (as
text and as a QR) and a calendar entry; at the kiosk "I have an invitation" and the code fill in
the details. The guest still reads and accepts the notice, like everyone else.

An invitation holds personal data (name, email), so it is deleted when its time window ends,
used or not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path

from kiosk.config import Config
from kiosk.errors import GuestFacingError
from kiosk.hosts import HostDirectory
from kiosk.i18n import Translator
from kiosk.models import CheckinForm
from kiosk.notify import STABLE_ID_HEADER, Message, Sender, with_param
from kiosk.qr import write_qr_png
from kiosk.records import record
from kiosk.store import Store
from kiosk.timeutil import from_db, to_db
from kiosk.validation import validate
from kiosk.wire import INVITATION_CODE_LENGTH, INVITATION_PREFIX, new_invitation_code

PREFIX = INVITATION_PREFIX
CODE_LENGTH = INVITATION_CODE_LENGTH


class InvitationError(GuestFacingError):
    """Why an invitation cannot be made or used."""


@record
class Invitation:
    code: str
    name: str
    email: str
    host_id: str
    starts_at: datetime
    ends_at: datetime

    @property
    def payload(self) -> str:
        return PREFIX + self.code


def new_code() -> str:
    return new_invitation_code()


def create(
    store: Store,
    config: Config,
    directory: HostDirectory,
    name: str,
    email: str,
    host_id: str,
    day: date,
    start: time,
    end: time,
    created_by: str,
    now: datetime,
) -> Invitation:
    """Validate like a check-in (name, email, host), then store the expected visit."""
    form = CheckinForm(name, email, config.purposes[0].key, host_id, config.default_language)
    clean = validate(form, config, directory.is_active)
    starts = datetime.combine(day, start, config.zone)
    ends = datetime.combine(day, end, config.zone)
    if ends <= starts or ends <= now:
        raise InvitationError("invitation.bad_window")
    invitation = Invitation(new_code(), clean.name, clean.email, clean.host_id, starts, ends)
    store.add_invitation(
        {
            "code": invitation.code,
            "name": invitation.name,
            "email": invitation.email,
            "host_id": invitation.host_id,
            "starts_at": to_db(starts),
            "ends_at": to_db(ends),
            "created_at": to_db(now),
            "created_by": created_by,
        }
    )
    return invitation


def find(store: Store, text: str, now: datetime, zone: tzinfo) -> Invitation:
    """The unused invitation a typed or scanned code names, on its day (until its end)."""
    code = text.strip().upper().removeprefix(PREFIX).replace(" ", "").replace("-", "")[:32]
    row = store.invitation(code)
    if row is None:
        raise InvitationError("invitation.not_found")
    invitation = Invitation(
        row["code"],
        row["name"],
        row["email"],
        row["host_id"],
        from_db(row["starts_at"]),
        from_db(row["ends_at"]),
    )
    if row["used_by_visit"]:
        raise InvitationError("invitation.used")
    visit_day = invitation.starts_at.astimezone(zone).date()
    if now.astimezone(zone).date() != visit_day or now >= invitation.ends_at:
        raise InvitationError("invitation.not_today")
    return invitation


def calendar_entry(
    invitation: Invitation, config: Config, host_name: str, made_at: datetime
) -> bytes:
    """An RFC 5545 event in the site's zone: every TZID it names has its VTIMEZONE, and DTSTAMP
    is when the entry was made (calendars use it to tell a newer copy of the same UID)."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Lobby Kiosk//invitation//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{invitation.code}@lobby-kiosk")
    event.add("summary", f"{config.site_name}: {host_name}")
    event.add("location", config.site_name)
    event.add("dtstart", invitation.starts_at.astimezone(config.zone))
    event.add("dtend", invitation.ends_at.astimezone(config.zone))
    event.add("dtstamp", made_at.astimezone(UTC))
    event.add("description", f"Code / 代碼: {invitation.code}")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def window_text(invitation: Invitation, config: Config) -> tuple[str, str, str]:
    """The visit's day, start and end as the guest reads them, in the site's time."""
    start = invitation.starts_at.astimezone(config.zone)
    end = invitation.ends_at.astimezone(config.zone)
    return start.strftime("%Y-%m-%d"), start.strftime("%H:%M"), end.strftime("%H:%M")


def send(
    invitation: Invitation,
    config: Config,
    host_name: str,
    sender: Sender,
    spool_dir: Path,
    language: str,
    made_at: datetime,
) -> str:
    """Email the guest their code, its QR and the calendar entry in ``language``; "" or a
    reason."""
    if not config.notify_email_url:
        return "no mail server configured ([notify] email_url)"
    tr = Translator(language)
    spool_dir.mkdir(parents=True, exist_ok=True)
    ics = spool_dir / f"invitation-{invitation.code}.ics"
    ics.write_bytes(calendar_entry(invitation, config, host_name, made_at))
    qr = write_qr_png(invitation.payload, spool_dir / f"invitation-{invitation.code}.png")
    day, start, end = window_text(invitation, config)
    message = Message(
        title=tr("invitation.mail_title", site=config.site_name),
        body=tr(
            "invitation.mail_body",
            site=config.site_name,
            host=host_name,
            day=day,
            start=start,
            end=end,
            code=invitation.code,
        ),
        message_id=f"{invitation.code}.invitation",
        attachments=(ics, qr),
    )
    url = with_param(config.notify_email_url, "to", invitation.email)
    url = with_param(url, "+" + STABLE_ID_HEADER, message.message_id)
    try:
        return sender.send([url], message)
    finally:
        ics.unlink(missing_ok=True)
        qr.unlink(missing_ok=True)
