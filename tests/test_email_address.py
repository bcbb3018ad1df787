"""The plain-ASCII address check (``kiosk.validation._plain_address``) against email_validator.

The check exists so a ``kiosk checkin`` does not import email_validator for an everyday address;
it must never accept what email_validator refuses, nor normalise differently.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kiosk.validation import _check_email, _plain_address

ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-"
LOCAL = st.one_of(
    st.text(alphabet=ATEXT + '."@ \\é', min_size=0, max_size=70),
    st.sampled_from(["Info", "SALES", "Postmaster", "wWw", "Ada.Lovelace"]),
)
LABEL = st.one_of(
    st.text(alphabet="abcXYZ019-", min_size=0, max_size=66),
    st.sampled_from(["test", "local", "localhost", "onion", "arpa", "invalid", "xn--bcher-kva"]),
    st.sampled_from(
        ["com", "example", "tw", "c0m", "x1", "co-op", "ab--cd", "例え", "ＥＸＡＭＰＬＥ"]
    ),
)
DOMAIN = st.lists(LABEL, min_size=1, max_size=5).map(".".join)


def _reference(address: str) -> str | None:
    """email_validator's answer with the kiosk's settings, or None if it refuses."""
    try:
        checked = validate_email(address, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return None
    return checked.normalized


@settings(max_examples=3000, deadline=None)
@given(local=LOCAL, domain=DOMAIN)
@example(local="Ada.Lovelace", domain="Example.COM")
@example(local="Info", domain="example.com")
@example(local="a", domain="b.test")
@example(local="a", domain="b.c1")
@example(local="a..b", domain="example.com")
@example(local="a", domain="-b.example.com")
@example(local="a" * 65, domain="example.com")
def test_a_plain_address_is_accepted_only_as_email_validator_would(local: str, domain: str) -> None:
    address = f"{local}@{domain}"
    plain = _plain_address(address)
    if plain:
        assert _reference(address) == plain


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ada.Lovelace@Example.COM", "Ada.Lovelace@example.com"),
        ("o'brien+lobby@mail.co.uk", "o'brien+lobby@mail.co.uk"),
        ("x@a-b.tw", "x@a-b.tw"),
    ],
)
def test_everyday_addresses_take_the_plain_path(typed: str, stored: str) -> None:
    assert _plain_address(typed) == stored == _reference(typed)
    assert _check_email(typed) == (stored, "")


@pytest.mark.parametrize(
    "typed",
    [
        "Info@example.com",
        "ada@例え.jp",
        "ada@xn--bcher-kva.example",
        '"a b"@example.com',
        "a@b.test",
    ],
)
def test_anything_unusual_is_left_to_email_validator(typed: str) -> None:
    assert _plain_address(typed) == ""
    reference = _reference(typed)
    assert _check_email(typed) == ((reference, "") if reference else ("", "errors.email_invalid"))


def test_an_everyday_check_in_does_not_load_email_validator() -> None:
    """~15 ms of a ``kiosk checkin`` start-up went to compiling email_validator's grammar."""
    probe = (
        "import sys; from kiosk.validation import _check_email; "
        "assert _check_email('ada@example.com') == ('ada@example.com', ''); "
        "print('email_validator' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"
