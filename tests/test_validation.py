from __future__ import annotations

import pytest

from kiosk.config import Config
from kiosk.validation import NAME_MAX, ValidationError, validate
from kiosk.wire import _normalise_any, normalise_text
from tests.conftest import make_form


def errors_of(config: Config, **fields: str) -> dict[str, str]:
    with pytest.raises(ValidationError) as raised:
        validate(make_form(**fields), config)
    return raised.value.errors


def test_valid_form_is_normalised(config: Config) -> None:
    clean = validate(make_form(name="  Ada \t  Lovelace ", email="Ada@Example.COM"), config)
    assert clean.name == "Ada Lovelace"
    assert clean.email == "Ada@example.com"  # the domain is case-insensitive, the local part not


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Cafe\u0301", "Café"),  # decomposed → NFC
        ("evil\u202egnp.exe", "evilgnp.exe"),  # right-to-left override removed
        ("\u2066Ada\u2069", "Ada"),  # isolates removed
        ("A\u200bd\u200ba", "Ada"),  # zero-width spaces removed
        ("Ada\x00\x07", "Ada"),  # NUL and control characters removed
        ("Z" + "\u0300" * 50, "Z\u0300\u0300\u0300"),  # combining flood capped
        ("陳\u3000大文", "陳 大文"),  # ideographic space collapsed
        ("👩\u200d💻 Dev", "👩\u200d💻 Dev"),  # ZWJ sequence kept intact
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_plain_ascii_is_normalised_as_any_text() -> None:
    """The shortcut for printable ASCII (a typed address) answers what the full rules do, for
    every such character alone, in pairs, between spaces, and for the controls next to them."""
    printable = [chr(code) for code in range(0x20, 0x7F)]
    samples = [*printable, *(a + b for a in printable for b in printable)]
    samples += ["  ada  lovelace ", " ", "", "ada@example.com", "a\tb", "a\x7fb", "a\nb", "\x1fa"]
    for sample in samples:
        assert normalise_text(sample) == _normalise_any(sample), repr(sample)


def test_every_problem_reported_at_once(config: Config) -> None:
    errors = errors_of(config, name=" ", email="nope", purpose="", host_id="")
    assert set(errors) == {"name", "email", "purpose", "host"}


def test_messages_follow_the_guest_language(config: Config) -> None:
    assert errors_of(config, name="", language="zh-TW")["name"] == "請輸入姓名。"
    assert errors_of(config, name="", language="en")["name"] == "Please enter your name."


def test_name_length(config: Config) -> None:
    assert validate(make_form(name="x" * NAME_MAX), config).name == "x" * NAME_MAX
    assert "100" in errors_of(config, name="x" * (NAME_MAX + 1))["name"]
    assert "name" in errors_of(config, name="y" * 10_000)


@pytest.mark.parametrize(
    "email", ["ada@例え.jp", "用户@例子.广告", "a.b+tag@sub.example.org", "ADA@EXAMPLE.COM"]
)
def test_international_and_ordinary_addresses_accepted(config: Config, email: str) -> None:
    assert validate(make_form(email=email), config).email


@pytest.mark.parametrize(
    "email",
    [
        "ada@example.com\r\nBcc: victim@example.com",
        "ada@example.com\n",
        "ada@\u202eexample.com",
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "a" * 250 + "@example.com",
        "",
    ],
)
def test_bad_addresses_refused(config: Config, email: str) -> None:
    assert "email" in errors_of(config, email=email)


def test_free_text_only_where_the_purpose_allows_it(config: Config) -> None:
    other = validate(make_form(purpose="other", purpose_text=" Parcel\u202e for 12F "), config)
    assert other.purpose_text == "Parcel for 12F"
    meeting = validate(make_form(purpose="meeting", purpose_text="ignored"), config)
    assert meeting.purpose_text == ""
    assert "purpose_text" in errors_of(config, purpose="other", purpose_text="x" * 201)


def test_unknown_purpose_host_and_language(config: Config) -> None:
    assert "purpose" in errors_of(config, purpose="heist")
    assert "host" in errors_of(config, host_id="h-nobody")
    assert "language" in errors_of(config, language="fr")
