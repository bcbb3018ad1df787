"""What a guest typed reaches a host as text that cannot become a link or markup.

A guest named `<a href="https://evil.example/login">Amy, your password expired - click</a>` was
accepted, and the host received a working link in an HTML email from the lobby's own address.
"""

from __future__ import annotations

import pytest

from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.hosts import HostDirectory
from kiosk.models import Host
from kiosk.notify import AppriseSender, deliver_due, inert
from kiosk.records import replace
from kiosk.store import Store
from kiosk.validation import ValidationError, validate
from tests.conftest import FakeClock, make_form
from tests.receivers import SmtpServer

PHISH = '<a href="https://evil.example/login">Amy, your password expired - click</a>'


@pytest.mark.parametrize(
    "name",
    [
        PHISH,
        "Amy https://evil.example/login",
        "Amy evil.example/login",
        "Amy www.evil.example",
        "Amy at evil.com",
        "<b>Amy</b>",
    ],
)
def test_check_in_refuses_a_name_with_a_link_or_markup(config: Config, name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate(make_form(name=name), config)
    assert "web address" in refused.value.errors["name"]


@pytest.mark.parametrize("name", ["J.R.R. Tolkien", "Mary.Ann O'Brien", "陳大文", "Dr. A/B Chen"])
def test_real_names_with_dots_and_slashes_are_welcome(config: Config, name: str) -> None:
    assert validate(make_form(name=name), config).name == name


def test_a_note_with_a_link_is_refused_in_the_guests_language(config: Config) -> None:
    form = make_form(purpose="other", purpose_text="see http://evil.example", language="zh-TW")
    with pytest.raises(ValidationError) as refused:
        validate(form, config)
    assert "網址" in refused.value.errors["purpose_text"]


def test_a_name_of_only_zero_width_characters_is_no_name(config: Config) -> None:
    with pytest.raises(ValidationError) as refused:
        validate(make_form(name="\u200d\u200c\u200d"), config)
    assert refused.value.errors["name"] == "Please enter your name."


def test_the_host_gets_plain_text_with_nothing_to_click(
    store: Store, config: Config, clock: FakeClock, smtp: SmtpServer
) -> None:
    """A visit stored before check-in refused such names (or written straight to the store)."""
    host = Host("h-chen", "Amy Chen", email="amy@example.com", notify=("email",))
    site = replace(
        config,
        hosts=(host,),
        notify_email_url=f"mailto://127.0.0.1:{smtp.port}?from=lobby@example.com",
    )
    service = CheckinService(store, site, clock)
    visit = service.check_in(make_form(name="Amy Chen"), service.current_notice("en")).visit
    store._db.execute("UPDATE visits SET name = ? WHERE id = ?", [PHISH, visit.id])
    store._db.conn.commit()
    report = deliver_due(store, HostDirectory(store, site), site, AppriseSender(), clock())
    assert report.sent == 1
    (mail,) = smtp.mailbox.messages
    kinds = {part.get_content_type() for part in mail.walk()}
    assert "text/html" not in kinds
    raw = mail.as_string()
    assert "https://evil" not in raw and "evil.example/" not in raw and "<a" not in raw
    assert "evil[.]example" in raw


def test_inert_leaves_ordinary_text_alone() -> None:
    assert inert("Dr. Mary.Ann O'Brien") == "Dr. Mary.Ann O'Brien"
    assert inert("go to https://evil.example/x") == "go to https[:]//evil[.]example/x"
