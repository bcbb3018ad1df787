"""The invitation email the hub sends when a host invites a guest in the console: the code as
text and as a QR, and a calendar entry (RFC 5545, with the VTIMEZONE of the site's zone and a
DTSTAMP of when it was made), in the language the host chose. Sent through apprise to the hub's
own mail URL (``kiosk hub serve --mail-url`` or ``KIOSK_HUB_MAIL_URL``)."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from urllib.parse import quote

from kiosk.hub.hub_invitations import HubInvitation
from kiosk.wire import INVITATION_PREFIX

log = logging.getLogger(__name__)


def calendar_entry(
    invitation: HubInvitation, site: str, host_name: str, made_at: datetime, zone: tzinfo
) -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Lobby Kiosk//hub invitation//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{invitation.code}@lobby-kiosk")
    event.add("summary", f"{site}: {host_name}")
    event.add("location", site)
    event.add("dtstart", invitation.starts_at.astimezone(zone))
    event.add("dtend", invitation.ends_at.astimezone(zone))
    event.add("dtstamp", made_at.astimezone(UTC))
    event.add("description", f"Code / 代碼: {invitation.code}")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def send_invitation(
    mail_url: str,
    invitation: HubInvitation,
    words: Mapping[str, str],
    site: str,
    host_name: str,
    made_at: datetime,
    zone: tzinfo,
) -> str:
    """ "" when the mail server took it, else why not (no personal data in the reason)."""
    if not mail_url:
        return "no mail server configured (kiosk hub serve --mail-url)"
    import apprise
    import qrcode

    logging.getLogger("apprise").setLevel(logging.WARNING)  # it logs bodies at DEBUG
    start = invitation.starts_at.astimezone(zone)
    end = invitation.ends_at.astimezone(zone)
    title = words["invite_mail_title"].format(site=site)
    body = words["invite_mail_body"].format(
        site=site,
        host=host_name,
        day=f"{start:%Y-%m-%d}",
        start=f"{start:%H:%M}",
        end=f"{end:%H:%M}",
        code=invitation.code,
    )
    with tempfile.TemporaryDirectory(prefix="hub-invitation-") as folder:
        ics = Path(folder) / "invitation.ics"
        ics.write_bytes(calendar_entry(invitation, site, host_name, made_at, zone))
        qr = Path(folder) / "invitation-code.png"
        qrcode.make(INVITATION_PREFIX + invitation.code, box_size=8, border=4).save(str(qr))
        separator = "&" if "?" in mail_url else "?"
        target = f"{mail_url}{separator}to={quote(invitation.email, safe='@')}&format=text"
        notifier = apprise.Apprise()
        if not notifier.add(target):
            return "the mail URL is not valid"
        sent = notifier.notify(
            title=title, body=body, attach=[str(ics), str(qr)], body_format="text"
        )
    if not sent:
        log.warning("invitation %s: the mail server did not take it", invitation.code)
        return "the mail server did not take it"
    return ""
