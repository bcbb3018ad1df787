"""Host notifications against real receivers on 127.0.0.1: SMTP (aiosmtpd) and a JSON webhook."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest

from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.hosts import HostDirectory
from kiosk.models import Host, Visit
from kiosk.notify import (
    STABLE_ID_HEADER,
    AppriseSender,
    compose,
    deliver_due,
    deliver_visitor_copies,
    targets,
    visitor_label,
)
from kiosk.outbox import next_attempt
from kiosk.records import replace
from kiosk.store import Store
from tests.conftest import FakeClock, make_form
from tests.receivers import Hook, SmtpServer, free_port, http_receiver

VISITOR_EMAIL = "visitor.canary@example.org"


def header(message: Message, name: str) -> str:
    return str(make_header(decode_header(message[name])))


def body_text(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    texts = [
        p.get_payload(decode=True).decode(p.get_content_charset() or "utf-8")  # type: ignore[union-attr]
        for p in parts
        if p.get_content_type() == "text/plain"
    ]
    return "\n".join(texts)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    yield server
    server.stop()


@pytest.fixture
def hook() -> Iterator[tuple[int, Hook]]:
    yield from http_receiver()


def site(config: Config, smtp: SmtpServer, hosts: tuple[Host, ...]) -> Config:
    return replace(
        config,
        hosts=hosts,
        notify_email_url=f"mailto://127.0.0.1:{smtp.port}?from=kiosk@example.com",
    )


def check_in(store: Store, config: Config, clock: FakeClock, host_id: str, **form: str) -> Visit:
    service = CheckinService(store, config, clock)
    filled = make_form(host_id=host_id, email=VISITOR_EMAIL, **form)
    notice = service.current_notice(filled.language)
    return service.check_in(filled, notice, service.company_notice(filled.language, host_id)).visit


def test_email_arrives_in_the_hosts_language_without_the_visitor_email(
    store: Store, config: Config, clock: FakeClock, smtp: SmtpServer
) -> None:
    smtp.start()
    host = Host(
        "h-chen", "陳雅婷", email="amy.chen@example.com", notify=("email",), language="zh-TW"
    )
    cfg = site(config, smtp, (host,))
    visit = check_in(store, cfg, clock, "h-chen", name="王小明 Ming Wang", language="en")
    report = deliver_due(store, HostDirectory(store, cfg), cfg, AppriseSender(), clock())
    assert report.sent == 1
    (mail,) = smtp.mailbox.messages
    assert header(mail, "Subject") == f"您的訪客已抵達 {cfg.site_name}"
    assert "amy.chen@example.com" in mail["To"]
    text = body_text(mail)
    assert "王小明 Ming Wang 已在大廳等候" in text and "開會" in text
    assert VISITOR_EMAIL not in mail.as_string()
    assert mail[STABLE_ID_HEADER] == f"{visit.id}.notify"
    assert store.pending_outbox("notify") == []


def test_json_webhook_receives_the_message(
    store: Store, config: Config, clock: FakeClock, hook: tuple[int, Hook]
) -> None:
    port, received = hook
    host = Host("h-lin", "Jimmy Lin", notify=(f"json://127.0.0.1:{port}/lobby",), language="en")
    cfg = replace(config, hosts=(host,))
    visit = check_in(store, cfg, clock, "h-lin", name="Grace Hopper")
    assert deliver_due(store, HostDirectory(store, cfg), cfg, AppriseSender(), clock()).sent == 1
    ((headers, body),) = received.requests
    assert "Grace Hopper is in the lobby for Meeting" in body["message"]
    assert headers[STABLE_ID_HEADER] == f"{visit.id}.notify"
    assert VISITOR_EMAIL not in str(body)


def test_smtp_down_then_back_delivers_exactly_once_across_a_restart(
    config: Config, clock: FakeClock, smtp: SmtpServer
) -> None:
    host = Host("h-chen", "Amy Chen", email="amy@example.com", notify=("email",))
    cfg = site(config, smtp, (host,))
    store = Store(cfg.database_path)
    check_in(store, cfg, clock, "h-chen")
    first = deliver_due(store, HostDirectory(store, cfg), cfg, AppriseSender(), clock())
    assert (first.sent, first.retrying) == (0, 1)
    (job,) = store.pending_outbox("notify")
    assert job["attempts"] == 1 and "mailto" in job["last_error"]
    assert deliver_due(store, HostDirectory(store, cfg), cfg, AppriseSender(), clock()).sent == 0
    store.close()  # the kiosk restarts while the mail server is down

    smtp.start()
    clock.advance(minutes=1)
    store = Store(cfg.database_path)
    assert deliver_due(store, HostDirectory(store, cfg), cfg, AppriseSender(), clock()).sent == 1
    store.close()
    store = Store(cfg.database_path)  # and restarts again after delivering
    clock.advance(hours=1)
    assert deliver_due(store, HostDirectory(store, cfg), cfg, AppriseSender(), clock()).sent == 0
    store.close()
    assert len(smtp.mailbox.messages) == 1


def test_gives_up_after_the_configured_time_and_says_so(
    store: Store, config: Config, clock: FakeClock
) -> None:
    host = Host("h-1", "Jo", notify=(f"json://127.0.0.1:{free_port()}/nobody",))
    cfg = replace(config, hosts=(host,), notify_give_up_hours=1)
    check_in(store, cfg, clock, "h-1")
    directory = HostDirectory(store, cfg)
    for _ in range(12):
        deliver_due(store, directory, cfg, AppriseSender(), clock())
        clock.advance(minutes=20)
    (row,) = [r for r in store.outbox_overview() if r["kind"] == "notify"]
    assert row["done_at"] and row["last_error"].startswith("gave up: delivery failed via json")


def test_host_without_any_target_is_reported(
    store: Store, config: Config, clock: FakeClock
) -> None:
    cfg = replace(config, hosts=(Host("h-1", "Jo"),))
    check_in(store, cfg, clock, "h-1")
    report = deliver_due(store, HostDirectory(store, cfg), cfg, AppriseSender(), clock())
    assert report.gave_up == 1
    (row,) = [r for r in store.outbox_overview() if r["kind"] == "notify"]
    assert "no notification target" in row["last_error"]


def test_targets_come_from_host_then_company_then_email(config: Config, store: Store) -> None:
    from kiosk.models import Company

    company = Company("acme", "Acme", "dpo@acme.example", notify=("json://127.0.0.1:1/acme",))
    hosts = (
        Host("own", "Own", notify=("slack://T/B/C",), company_id="acme"),
        Host("inherits", "Inherits", company_id="acme"),
        Host("mail", "Mail", email="m@example.com"),
        Host("nothing", "Nothing"),
    )
    cfg = replace(
        config, hosts=hosts, companies=(company,), notify_email_url="mailto://127.0.0.1:25"
    )
    directory = HostDirectory(store, cfg)
    found = {h.id: targets(h, directory, cfg, "ID") for h in hosts}
    assert found["own"] == [f"slack://T/B/C?+{STABLE_ID_HEADER}=ID&format=text"]
    assert found["inherits"] == [f"json://127.0.0.1:1/acme?+{STABLE_ID_HEADER}=ID&format=text"]
    assert found["mail"] == [
        f"mailto://127.0.0.1:25?to=m@example.com&+{STABLE_ID_HEADER}=ID&format=text"
    ]
    assert found["nothing"] == []


def test_initials_option_and_message_language(service: CheckinService, config: Config) -> None:
    assert visitor_label("Ada Lovelace", "initials") == "A. L."
    assert visitor_label("陳大文", "initials") == "陳○○"
    assert visitor_label("陳大文", "full") == "陳大文"
    visit = service.check_in(make_form(name="Ada Lovelace"), service.current_notice("en")).visit
    cfg = replace(config, notify_visitor_name="initials")
    message = compose(visit, Host("h", "H", language="en"), "Meeting", cfg)
    assert "A. L. is in the lobby" in message.body and "Lovelace" not in message.body


def test_backoff_grows_is_capped_and_jittered(clock: FakeClock) -> None:
    now = clock()
    delays = [(next_attempt(now, n, lambda: 0.5) - now).total_seconds() for n in range(10)]
    assert delays[:3] == [30, 60, 120] and delays[-1] == 1800
    assert (next_attempt(now, 0, lambda: 0.0) - now).total_seconds() == 24
    assert (next_attempt(now, 0, lambda: 1.0) - now).total_seconds() == 36
    assert next_attempt(now, 10_000, lambda: 0.5) - now == timedelta(minutes=30)


def test_visitor_copy_only_when_asked_and_enabled(
    store: Store, config: Config, clock: FakeClock, smtp: SmtpServer, tmp_path: Path
) -> None:
    smtp.start()
    cfg = replace(site(config, smtp, config.hosts), visitor_copy=True)
    service = CheckinService(store, cfg, clock)
    notice = service.current_notice("en")
    asked = service.check_in(make_form(email=VISITOR_EMAIL), notice, visitor_copy=True).visit
    service.check_in(make_form(email="quiet@example.org"), notice, visitor_copy=False)
    attachment = tmp_path / f"badge-{asked.id}.qr.png"

    def qr_for(visit: Visit) -> Path:
        attachment.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
        return attachment

    report = deliver_visitor_copies(store, cfg, AppriseSender(), clock(), qr_for)
    assert report.sent == 1
    (mail,) = smtp.mailbox.messages
    assert VISITOR_EMAIL in mail["To"]
    assert any(part.get_filename() == attachment.name for part in mail.walk())
    assert not attachment.exists()
    disabled = replace(cfg, visitor_copy=False)
    other = CheckinService(store, disabled, clock)
    other.check_in(make_form(), other.current_notice("en"), visitor_copy=True)
    assert len(store.pending_outbox("visitor_copy")) == 0
