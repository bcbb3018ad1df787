"""Turn what a guest typed into values safe to store, or say per field what to fix.

Normalisation is deliberately conservative: text is put in NFC, invisible control and
direction-override characters are removed (they can make a name render as something else on the
badge or in a staff list), runs of combining marks are capped, and whitespace is collapsed. What
remains is displayed exactly as entered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from kiosk.config import Config
from kiosk.i18n import Translator
from kiosk.models import CheckinForm
from kiosk.records import record
from kiosk.wire import normalise_text

NAME_MAX = 100
PURPOSE_TEXT_MAX = 200
EMAIL_MAX = 254


@record
class CleanForm:
    """A validated, normalised form: every field is safe to store and to show."""

    name: str
    email: str
    purpose: str
    purpose_text: str
    host_id: str
    language: str


class ValidationError(ValueError):
    """One message per field, already in the guest's language."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid fields: " + ", ".join(sorted(errors)))
        self.errors = errors


def validate(
    form: CheckinForm, config: Config, host_exists: Callable[[str], bool] | None = None
) -> CleanForm:
    """Check every field, collecting all problems so the guest fixes them in one go."""
    language = form.language if form.language in config.languages else config.default_language
    tr = Translator(language)
    errors: dict[str, str] = {}
    if form.language not in config.languages:
        errors["language"] = tr("errors.language_unknown")

    name = normalise_text(form.name)
    if not has_visible_character(name):
        errors["name"] = tr("errors.name_required")
    elif len(name) > NAME_MAX:
        errors["name"] = tr("errors.name_too_long", max=NAME_MAX)
    elif looks_like_link_or_markup(name):
        errors["name"] = tr("errors.name_link")

    email, email_error = _check_email(form.email)
    if email_error:
        errors["email"] = tr(email_error)

    purpose = config.purpose(form.purpose)
    purpose_text = normalise_text(form.purpose_text) if purpose and purpose.free_text else ""
    if purpose is None:
        errors["purpose"] = tr("errors.purpose_required")
    elif len(purpose_text) > PURPOSE_TEXT_MAX:
        errors["purpose_text"] = tr("errors.purpose_text_too_long", max=PURPOSE_TEXT_MAX)
    elif looks_like_link_or_markup(purpose_text):
        errors["purpose_text"] = tr("errors.purpose_text_link")

    known = host_exists or (lambda host_id: any(h.id == host_id for h in config.hosts))
    if not form.host_id or not known(form.host_id):
        errors["host"] = tr("errors.host_required")

    if errors:
        raise ValidationError(errors)
    return CleanForm(name, email, form.purpose, purpose_text, form.host_id, language)


def has_visible_character(text: str) -> bool:
    """A name of only zero-width joiners is not a name, though it is not empty."""
    return any(unicodedata.category(char)[0] in "LNMSP" for char in text)


# What a guest's words must never carry to a host's inbox from the building's own address: a web
# address (with or without a scheme) or markup. Tested against real names, which rarely contain
# "://", "www." or a dot followed by a common top-level domain.
LINK_OR_MARKUP = (
    r"[<>]|[a-z][a-z0-9+.-]*:/{2}|\bwww\.|[\w-]\.(?:com|net|org|info|biz|io|co|me|xyz|top|app|dev"
    r"|link|site|online|shop|click|ly|gl|ru|cn|tw)\b|[\w-]\.[a-z]{2,}/"
)
# Matched against the text in lower case, not with re.IGNORECASE: compiling that flag's Unicode
# case rules cost ~2 ms of every check-in's start. The three letters that case-insensitive
# matching takes for an ASCII one but lower() does not make one are made so first; the tests
# compare the two over every character.
_LINK_OR_MARKUP = re.compile(LINK_OR_MARKUP)
_ASCII_TWINS = str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})


def looks_like_link_or_markup(text: str) -> bool:
    return bool(_LINK_OR_MARKUP.search(text.translate(_ASCII_TWINS).lower()))


def validate_email_address(raw: str) -> str:
    """An address from staff (rights requests), normalised like a guest's; or ValidationError."""
    address, problem = _check_email(raw)
    if problem:
        raise ValidationError({"email": problem})
    return address


def _check_email(raw: str) -> tuple[str, str]:
    """(normalised address, "") or ("", error id). Control characters are never silently dropped
    from an address: a CR/LF in it is an injection attempt or a paste accident, both invalid."""
    if not raw.strip():
        return "", "errors.email_required"
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in raw):
        return "", "errors.email_invalid"
    candidate = unicodedata.normalize("NFC", raw.strip())
    if len(candidate) > EMAIL_MAX:
        return "", "errors.email_too_long"
    plain = _plain_address(candidate)
    if plain:
        return plain, ""
    # Imported here: ~16 ms (it compiles its grammar) that start-up should not pay; the kiosk
    # warms it in a worker once Welcome is on screen (ui.app).
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(candidate, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return "", "errors.email_invalid"
    return checked.normalized, ""


# The everyday address, plain ASCII (name.surname@company.example), is checked here; anything
# else (Unicode, quoting, an odd domain) goes to email_validator. Importing that compiles its
# Unicode grammar, ~15 ms of the ~130 ms a `kiosk checkin` took to start. What this accepts,
# email_validator accepts with the same result (tests/test_email_address.py compares the two
# over generated addresses), so which of the two checked an address never shows.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN_ADDRESS = re.compile(rf"({_ATOM}(?:\.{_ATOM})*)@((?:{_LABEL}\.)+{_LABEL})\Z")
# Left to email_validator: mailbox names RFC 2142 makes case-insensitive (it lower-cases them)
# and domains no address on the internet can be at (RFC 6761, 6762, 7686; it refuses them).
_MAILBOX_NAMES = frozenset(
    [
        "info",
        "marketing",
        "sales",
        "support",
        "abuse",
        "noc",
        "security",
        "postmaster",
        "hostmaster",
        "usenet",
        "news",
        "webmaster",
        "www",
        "uucp",
        "ftp",
    ]
)
_NOT_GLOBAL = frozenset(("arpa", "invalid", "local", "localhost", "onion", "test"))


def _plain_address(address: str) -> str:
    """The address with its domain in lower case, or "" to leave it to email_validator."""
    match = _PLAIN_ADDRESS.match(address)
    if not match:
        return ""
    local, domain = match[1], match[2].lower()
    labels = domain.split(".")
    if (
        len(local) > 64
        or len(domain) > 253
        or local.lower() in _MAILBOX_NAMES
        or not domain[-1].isalpha()  # every top-level domain ends with a letter
        or any("--" in label for label in labels)  # Punycode and reserved labels
        or labels[-1] in _NOT_GLOBAL
    ):
        return ""
    return f"{local}@{domain}"
