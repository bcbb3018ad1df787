"""Invitations: made like a check-in, emailed (through a real SMTP server) with a code, a QR and a
calendar entry, usable once on their day, deleted when their window ends."""

from __future__ import annotations

import io
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from kiosk import invitations
from kiosk.cli import main
from kiosk.config import Config
from kiosk.hosts import HostDirectory
from kiosk.notify import AppriseSender
from kiosk.records import replace
from kiosk.retention import purge
from kiosk.store import Store
from kiosk.validation import ValidationError
from tests.conftest import FakeClock
from tests.receivers import SmtpServer
from tests.test_retention import hits

DAY = date(2026, 11, 26)  # the day after the fake clock's "today"


def invite(
    store: Store, config: Config, clock: FakeClock, **overrides: object
) -> invitations.Invitation:
    values: dict[str, object] = {
        "name": "Ivy Invited",
        "email": "ivy@example.org",
        "host_id": "h-chen",
        "day": DAY,
        "start": time(10, 0),
        "end": time(12, 0),
    }
    values.update(overrides)
    return invitations.create(
        store,
        config,
        HostDirectory(store, config),
        str(values["name"]),
        str(values["email"]),
        str(values["host_id"]),
        values["day"],
        values["start"],
        values["end"],  # type: ignore[arg-type]
        "staff:s1",
        clock(),
    )


def test_codes_are_readable_and_invitations_validated(
    store: Store, config: Config, clock: FakeClock
) -> None:
    made = invite(store, config, clock)
    assert len(made.code) == 8 and not set(made.code) & set("01IO")
    with pytest.raises(ValidationError):
        invite(store, config, clock, email="not an email")
    with pytest.raises(invitations.InvitationError) as backwards:
        invite(store, config, clock, start=time(12, 0), end=time(10, 0))
    assert backwards.value.reason == "invitation.bad_window"


def test_an_invitation_works_once_and_only_on_its_day(
    store: Store, config: Config, clock: FakeClock
) -> None:
    made = invite(store, config, clock)
    with pytest.raises(invitations.InvitationError) as early:
        invitations.find(store, made.code, clock(), config.zone)
    assert early.value.reason == "invitation.not_today"
    clock.advance(days=1)  # the visit day, 09:30 in Taipei: early arrivals are welcome
    found = invitations.find(store, " " + made.payload.lower() + " ", clock(), config.zone)
    assert (found.name, found.host_id) == ("Ivy Invited", "h-chen")
    assert store.use_invitation(made.code, "visit-1")
    with pytest.raises(invitations.InvitationError) as used:
        invitations.find(store, made.code, clock(), config.zone)
    assert used.value.reason == "invitation.used"
    with pytest.raises(invitations.InvitationError) as unknown:
        invitations.find(store, "ZZZZZZZZ", clock(), config.zone)
    assert unknown.value.reason == "invitation.not_found"


def test_invitations_are_deleted_when_their_window_ends(
    store: Store, config: Config, clock: FakeClock
) -> None:
    invite(store, config, clock, name="Gone Canary")
    purge(store, config.spool_dir, clock() + timedelta(days=1), config.retention_days)
    assert store.invitations() != []
    purge(store, config.spool_dir, clock() + timedelta(days=2), config.retention_days)
    assert store.invitations() == []
    assert hits(config.data_dir, "Gone Canary") == []


def test_the_invitation_email_has_the_code_a_qr_and_a_calendar_entry(
    store: Store, config: Config, clock: FakeClock, smtp: SmtpServer
) -> None:
    from icalendar import Calendar

    from kiosk.qrdecode import decode_image

    cfg = replace(config, notify_email_url=f"mailto://127.0.0.1:{smtp.port}?from=lobby@example.com")
    made = invite(store, cfg, clock)
    sent = invitations.send(
        made, cfg, "陳雅婷 Amy Chen", AppriseSender(), cfg.spool_dir, "zh-TW", clock()
    )
    assert sent == ""
    (mail,) = smtp.mailbox.messages
    assert "ivy@example.org" in mail["To"]
    parts = {part.get_filename(): part for part in mail.walk() if part.get_filename()}
    body = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    assert made.code in body.get_payload(decode=True).decode("utf-8")
    calendar = Calendar.from_ical(parts[f"invitation-{made.code}.ics"].get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == made.starts_at and event.decoded("dtend") == made.ends_at
    # RFC 5545: every TZID used has its VTIMEZONE; DTSTAMP is when the entry was made, in UTC.
    assert event["dtstart"].params["TZID"] == "Asia/Taipei"
    assert [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Taipei"]
    assert event.decoded("dtstamp") == clock()
    text = body.get_payload(decode=True).decode("utf-8")
    assert "2026-11-26 10:00 至 12:00" in text  # the window's end too, in site time
    from PIL import Image

    qr = Image.open(io.BytesIO(parts[f"invitation-{made.code}.png"].get_payload(decode=True)))
    assert decode_image(qr) == [made.payload]
    assert list(cfg.spool_dir.glob("invitation-*")) == []  # the attachments were temporary


def test_invite_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--data-dir", str(tmp_path / "data")]
    args = [
        "invite",
        "--name",
        "Cli Invitee",
        "--email",
        "c@example.org",
        "--host",
        "h-lin",
        "--date",
        "2099-01-02",
        "--from",
        "14:00",
        "--to",
        "15:00",
    ]
    assert main([*base, *args]) == 1  # made, but no mail server to send it with
    out = capsys.readouterr().out
    assert "invitation " in out and "give the guest the code yourself" in out
    assert main([*base, "invitations"]) == 0
    listing = capsys.readouterr().out
    assert "host h-lin" in listing and "Cli Invitee" not in listing
    assert (
        main(
            [
                *base,
                "invite",
                "--name",
                "X",
                "--email",
                "x@example.org",
                "--host",
                "h-lin",
                "--date",
                "tomorrow",
            ]
        )
        == 2
    )


def test_the_invitation_email_speaks_the_chosen_language(
    store: Store, config: Config, clock: FakeClock, smtp: SmtpServer
) -> None:
    cfg = replace(config, notify_email_url=f"mailto://127.0.0.1:{smtp.port}?from=lobby@example.com")
    made = invite(store, cfg, clock)
    assert (
        invitations.send(made, cfg, "Amy Chen", AppriseSender(), cfg.spool_dir, "en", clock()) == ""
    )
    (mail,) = smtp.mailbox.messages
    body = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    text = body.get_payload(decode=True).decode("utf-8")
    assert "on 2026-11-26, between 10:00 and 12:00" in text
    assert "邀請" not in text


def test_invite_takes_a_language_and_lists_in_site_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp: SmtpServer
) -> None:
    site = tmp_path / "site.toml"
    site.write_text(
        f'[notify]\nemail_url = "mailto://127.0.0.1:{smtp.port}?from=lobby@example.com"\n',
        encoding="utf-8",
    )
    base = ["--config", str(site), "--data-dir", str(tmp_path / "data")]
    invite_args = ["invite", "--name", "Lee Guest", "--email", "lee@example.org"]
    invite_args += ["--host", "h-lin", "--date", "2099-01-02", "--from", "08:30", "--to", "09:15"]
    assert main([*base, *invite_args, "--lang", "fr"]) == 2
    assert "--lang 'fr'" in capsys.readouterr().err
    assert main([*base, *invite_args, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "for 2099-01-02 08:30-09:15 (Asia/Taipei)" in out
    (mail,) = smtp.mailbox.messages
    assert "Your visit to" in str(mail["Subject"])
    assert main([*base, "invitations"]) == 0
    listing = capsys.readouterr().out
    assert "2099-01-02 08:30-09:15  host h-lin  expected" in listing
    assert "times in Asia/Taipei" in listing
