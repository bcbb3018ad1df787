"""Tell the host that their visitor has arrived, on the channel they use, through apprise.

Each check-in leaves a ``notify`` job in the outbox; ``deliver_due`` sends what is due and
retries failures with growing, jittered delays until the job's give-up time. A delivered job is
marked done in the store, so a restart never resends it; every message also carries a stable id
(``X-Lobby-Kiosk-Message-Id``) so a receiver can drop a duplicate after a crash at the worst
moment. Messages hold the visitor's name (or initials), purpose and time, never an email address.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from kiosk.config import Config
from kiosk.hosts import HostDirectory
from kiosk.i18n import Translator
from kiosk.logs import logger
from kiosk.models import Host, Visit
from kiosk.outbox import settle
from kiosk.records import record
from kiosk.store import Store
from kiosk.validation import looks_like_link_or_markup

log = logger(__name__)
STABLE_ID_HEADER = "X-Lobby-Kiosk-Message-Id"


@record
class Message:
    title: str
    body: str
    message_id: str
    attachments: tuple[Path, ...] = ()


class Sender(Protocol):
    def send(self, urls: Sequence[str], message: Message) -> str:
        """Deliver to every URL; return "" on success or a reason without personal data."""
        ...


@record(frozen=False)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    gave_up: int = 0


def visitor_label(name: str, mode: str) -> str:
    """The visitor as the host sees them: the full name, or initials ("A. L.", "陳○○")."""
    if mode != "initials":
        return name
    parts = []
    for word in name.split():
        if "CJK" in unicodedata.name(word[0], ""):
            parts.append(word[0] + "○" * (len(word) - 1))
        else:
            parts.append(word[0].upper() + ".")
    return " ".join(parts)


def inert(text: str) -> str:
    """A guest's words as text no mail or chat client turns into a link: "https://a.b/c" becomes
    "https[:]//a[.]b/c" (the convention for quoting addresses one must not click). Check-in
    refuses such names already; this covers visits stored before it did."""
    if not looks_like_link_or_markup(text):
        return text
    text = text.replace("<", "‹").replace(">", "›").replace("://", "[:]//")
    return re.sub(r"(?<=[\w-])\.(?=[\w-])", "[.]", text)


def compose(visit: Visit, host: Host, purpose_label: str, config: Config) -> Message:
    tr = Translator(host.language or config.default_language)
    local = visit.checked_in_at.astimezone(config.zone)
    return Message(
        title=tr("notify.title", site=config.site_name),
        body=tr(
            "notify.body",
            visitor=inert(visitor_label(visit.name, config.notify_visitor_name)),
            purpose=purpose_label,
            time=local.strftime("%H:%M"),
            site=config.site_name,
        ),
        message_id=f"{visit.id}.notify",
    )


def targets(host: Host, directory: HostDirectory, config: Config, message_id: str) -> list[str]:
    """Apprise URLs for a host: their own, else their company's default, else plain email."""
    company = directory.company_of(host.id)
    kinds = host.notify or (company.notify if company else ()) or (("email",) if host.email else ())
    urls = []
    for kind in kinds:
        if kind == "email":
            if not (config.notify_email_url and host.email):
                continue
            url = with_param(config.notify_email_url, "to", quote(host.email, safe="@"))
        else:
            url = kind
        urls.append(plain_text(with_param(url, "+" + STABLE_ID_HEADER, message_id)))
    return urls


def plain_text(url: str) -> str:
    """Ask apprise for a plain-text message: an HTML email (its default) would carry whatever a
    guest typed as markup, sent from the building's own lobby address."""
    return url if "format=" in urlsplit(url).query else with_param(url, "format", "text")


def with_param(url: str, key: str, value: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{key}={value}"


class AppriseSender:
    """Sends through apprise. A fresh Apprise object per message: a reused one throttles."""

    def __init__(self) -> None:
        import logging  # apprise loads it anyway

        # apprise logs payloads at DEBUG; those would contain visitor names.
        logging.getLogger("apprise").setLevel(logging.WARNING)

    def warm_up(self) -> None:
        """Load apprise's plugins now (about half a second, longer beside Qt), so the first
        guest's host is not the one who waits for it."""
        import apprise

        apprise.Apprise().add("json://localhost")

    def send(self, urls: Sequence[str], message: Message) -> str:
        import apprise

        notifier = apprise.Apprise()
        for url in urls:
            if not notifier.add(url):
                return f"invalid target ({urlsplit(url).scheme}://)"
        attach: Any = [str(path) for path in message.attachments] or None
        ok = notifier.notify(
            title=message.title, body=message.body, attach=attach, body_format="text"
        )
        if ok:
            return ""
        schemes = sorted({urlsplit(url).scheme for url in urls})
        return f"delivery failed via {', '.join(schemes)}"


def deliver_due(
    store: Store, directory: HostDirectory, config: Config, sender: Sender, now: datetime
) -> DeliveryReport:
    """Send every host notification that is due; safe to run from several places at once
    in sequence (a job is only ever marked done after its own successful send)."""
    report = DeliveryReport()
    for job in store.due_outbox("notify", now):
        visit = store.visit(job["visit_id"])
        host = directory.get(visit.host_id) if visit else None
        if visit is None or host is None:
            store.give_up_outbox(job["id"], now, "visit or host no longer known")
            report.gave_up += 1
            continue
        purpose = config.purpose(visit.purpose)
        label = purpose.label(host.language or config.default_language) if purpose else ""
        message = compose(visit, host, label or visit.purpose, config)
        urls = targets(host, directory, config, message.message_id)
        _attempt(store, job, urls, message, sender, now, report)
    return report


def deliver_visitor_copies(
    store: Store,
    config: Config,
    sender: Sender,
    now: datetime,
    attachment_for: Callable[[Visit], Path],
) -> DeliveryReport:
    """The badge QR by email, for guests who ticked the box. The attachment is written to the
    spool under the visit's id, so it is deleted with the visit if anything goes wrong."""
    report = DeliveryReport()
    for job in store.due_outbox("visitor_copy", now):
        visit = store.visit(job["visit_id"])
        if visit is None or not config.notify_email_url:
            store.give_up_outbox(job["id"], now, "no visit or no mail server configured")
            report.gave_up += 1
            continue
        tr = Translator(visit.language)
        attachment = attachment_for(visit)
        message = Message(
            title=tr("notify.copy_title", site=config.site_name),
            body=tr("notify.copy_body", site=config.site_name),
            message_id=f"{visit.id}.copy",
            attachments=(attachment,),
        )
        url = with_param(config.notify_email_url, "to", quote(visit.email, safe="@"))
        try:
            _attempt(
                store,
                job,
                [plain_text(with_param(url, "+" + STABLE_ID_HEADER, message.message_id))],
                message,
                sender,
                now,
                report,
            )
        finally:
            attachment.unlink(missing_ok=True)
    return report


def _attempt(
    store: Store,
    job: dict[str, Any],
    urls: list[str],
    message: Message,
    sender: Sender,
    now: datetime,
    report: DeliveryReport,
) -> None:
    if not urls:
        store.give_up_outbox(job["id"], now, "no notification target configured")
        report.gave_up += 1
        return
    reason = sender.send(urls, message)
    outcome = settle(store, job, reason, now)
    if outcome == "done":
        report.sent += 1
        return
    if outcome == "gave_up":
        report.gave_up += 1
    else:
        report.retrying += 1
    log.warning("notification for visit %s not delivered: %s", job["visit_id"], reason)
