"""What kiosks and the hub say to each other: the shape of a synced visit and a shared deny entry,
the host record, and the one text form of an instant.

The hub imports nothing else from the core (an import-linter contract), so it never loads the
kiosk's config, store or keys, and this module imports nothing from the kiosk but the records
and digests both sides are made with.
"""

from __future__ import annotations

import io
import os
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from kiosk.digest import hmac_sha256_hex
from kiosk.records import field, record

Clock = Callable[[], datetime]

# Every field a visit may carry to the hub; a site chooses which with [hub] fields.
SYNC_FIELDS = (
    "visit_id",
    "site",
    "kiosk_id",
    "host_id",
    "purpose",
    "checked_in_at",
    "checked_out_at",
    "notice_version",
    "purge_after",
    "name",
    "email",
)
# What leaves the kiosk by default: enough for one on-site list and the hub's own retention;
# the name only if the site enables cross-kiosk evacuation lists, the email never by default.
DEFAULT_SYNC_FIELDS = SYNC_FIELDS[:9]

# What a deny entry carries from kiosk to hub to kiosk (besides its id and which key made it):
# hashes, staff's reason, and its dates. Never a name or an email.
SHARED_FIELDS = (
    "name_hash",
    "name_tokens_hash",
    "email_hash",
    "email_local_hash",
    "reason",
    "created_at",
    "expires_at",
    "created_by",
)


@record
class Host:
    """A person a visitor can come to see, and how they want to hear about it."""

    id: str
    name: str
    department: str = ""
    email: str = ""
    notify: tuple[str, ...] = ()  # apprise URLs, or "email" for the site's mail server
    language: str = ""  # preferred language of notifications; "" = the site default
    active: bool = True
    company_id: str = ""


# An invitation's code, made by a kiosk or by the hub's console and typed or scanned at any kiosk
# of the site: eight characters without 0/O or 1/I, and as a QR with a prefix.
INVITATION_PREFIX = "LKI1:"
INVITATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
INVITATION_CODE_LENGTH = 8


def new_invitation_code() -> str:
    import secrets  # here: its import (random, base64) is ~1 ms of every command's start

    return "".join(secrets.choice(INVITATION_ALPHABET) for _ in range(INVITATION_CODE_LENGTH))


_48_BITS = (1 << 48) - 1
_62_BITS = (1 << 62) - 1


def new_visit_id(checked_in_at: datetime) -> str:
    """A visit's id: a version-7 UUID (RFC 9562), the check-in's millisecond first and 74
    random bits after it. Time first because retention deletes visits oldest first: every
    index keyed by visit id (the visits' own, the outbox's, the hub's receipts) then loses
    whole runs of neighbouring entries, a page written once for many. With random version-4 ids
    each expired visit dirtied a page of its own in each such index, and a purge of 200,000
    visits ran at 29k a second on a kiosk and 20k on the hub instead of 230k (#17). The id
    tells when its guest checked in, as the badge and its signed token already do; the code
    printed on the badge comes from its random end (``badge_code``)."""
    millisecond = int(checked_in_at.timestamp() * 1000) & _48_BITS
    random_bits = int.from_bytes(os.urandom(10))  # 80; the 74 a version 7 leaves are used
    value = (
        millisecond << 80
        | 0x7 << 76  # version
        | (random_bits >> 62 & 0xFFF) << 64
        | 0b10 << 62  # variant
        | random_bits & _62_BITS
    )
    return visit_id_text(value.to_bytes(16))


def visit_id_text(raw: bytes) -> str:
    """A visit id's 16 bytes (as a badge's token carries them) in the canonical UUID form."""
    digits = raw.hex()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def visit_id_bytes(visit_id: str) -> bytes:
    """The 16 bytes of a visit id written as a UUID (here rather than the ``uuid`` module,
    whose import is ~1.5 ms of every check-in command's start)."""
    try:
        raw = bytes.fromhex(visit_id.replace("-", ""))
    except ValueError:
        raw = b""
    if len(raw) != 16:
        raise ValueError(f"not a visit id: {visit_id[:40]!r}")
    return raw


def badge_code(visit_id: str) -> str:
    """The eight characters printed under a badge's QR, for a person to read out or type; the
    hub lists visitors whose name the site does not send by it. A time-ordered id's first eight
    digits tell its check-in time to about a minute, the same for everyone who came in then, so
    its code is its last eight (random); an id made before them (version 4, random throughout)
    keeps the first eight its badge was printed with."""
    digits = visit_id.replace("-", "")
    time_ordered = len(digits) == 32 and digits[12] == "7"
    return (digits[-8:] if time_ordered else digits[:8]).upper()


DB_TEXT_LENGTH = 27  # 2026-11-25T01:30:00.000000Z


# Wrong PINs at a kiosk and wrong console passwords at the hub lock the same way.
FREE_TRIES = 5
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(hours=1)


def lock_after(failures: int, now: datetime) -> datetime | None:
    """When a lock ends: 30 s after the fifth wrong try in a row, doubling with each further
    one, up to an hour; None before the fifth."""
    if failures < FREE_TRIES:
        return None
    wait: timedelta = min(FIRST_LOCK * 2 ** (failures - FREE_TRIES), LONGEST_LOCK)
    return now + wait


# A roll call lists the name and host of everyone on site: needed on the day, then deleted (the
# kiosk's printed sheets in its spool, the hub's roll calls, closed or left open).
ROLL_CALL_KEPT = timedelta(days=1)


def next_chunk_size(size: int, took: float, target: float, smallest: int, largest: int) -> int:
    """Deletes sized by time, not count (the kiosk's purge, the hub's), so whoever waits behind
    a delete transaction waits about ``target`` at most, however large or old the store: the
    next chunk is this one scaled by how far it missed the target, by half to double at most.

    Proportional, because a chunk's time is mostly noise on a busy machine. The rule before
    (halve a chunk over the target, double one under half of it) halved on every chunk a
    moment's load pushed over, and chunks shrank to where they took half the target: beside a
    kiosk's batch every 5 ms, a hub's purge on PostgreSQL ran in chunks of 50-400 rows at
    ~2 ms and deleted 3-35k visits a second (8 runs); scaled, its chunks of 500-1,200 take ~3 ms
    and delete 42-99k (6 runs; SQLite 61-78k -> 75-94k; a batch's p99 the same)."""
    factor = min(2.0, max(0.5, target / took)) if took > 0 else 2.0
    return min(largest, max(smallest, int(size * factor)))


def to_db(moment: datetime) -> str:
    """``isoformat`` rather than ``strftime``: the same text, a little faster, and the year
    always has four digits (glibc's ``%Y`` writes year 33 as "33", which would sort wrongly)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware one")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_db(text: str) -> datetime:
    """The one text form only (``fromisoformat`` alone would take any ISO variant); parsed
    without ``strptime`` (0.9 µs instead of 4.4 µs here; a sync batch parses five a visit)."""
    if len(text) != DB_TEXT_LENGTH or text[10] != "T" or not text.endswith("Z"):
        raise ValueError(f"not a stored instant: {text!r}")
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)


def day_span(day: date, zone: tzinfo) -> tuple[str, str]:
    """The stored instants at which ``day`` begins and the next one begins, in ``zone``: for
    "today's visits" as a string comparison in SQL."""
    first = datetime.combine(day, time(0), zone)
    return to_db(first), to_db(datetime.combine(day + timedelta(days=1), time(0), zone))


MAX_COMBINING_RUN = 3
# Zero-width joiner/non-joiner are kept: they are part of correct spelling in some scripts.
_KEEP_FORMAT = {"\u200c", "\u200d"}


def normalise_text(value: str) -> str:
    """NFC, no control/format characters, capped combining runs, single spaces, trimmed."""
    if value.isascii() and value.isprintable():
        # Nothing to take out or compose (a typed address, most Latin names): 0.2 µs, not 5.7,
        # for each of the 100,000 addresses a rights request may compare.
        return " ".join(value.split())
    return _normalise_any(value)


def _normalise_any(value: str) -> str:
    kept: list[str] = []
    combining_run = 0
    for char in unicodedata.normalize("NFC", value):
        category = unicodedata.category(char)
        if char in "\t\r\n" or category == "Zs":
            kept.append(" ")
            combining_run = 0
            continue
        if category in ("Cc", "Cs", "Co", "Cn") or (category == "Cf" and char not in _KEEP_FORMAT):
            continue
        if category.startswith("M"):
            combining_run += 1
            if combining_run > MAX_COMBINING_RUN:
                continue
        else:
            combining_run = 0
        kept.append(char)
    return " ".join("".join(kept).split())


def normalise_email(value: str) -> str:
    """The comparable form of an address (for matching requests), without validating it."""
    return normalise_text(value).casefold()


def email_key(rights_key: bytes, email: str) -> str:
    """What a site-wide rights request carries to the kiosks instead of the address: a keyed
    hash (HMAC-SHA-256 with the site's rights key) of the normalised address. A kiosk finds the
    person's visits by hashing its own stored addresses the same way."""
    return hmac_sha256_hex(rights_key, normalise_email(email).encode("utf-8"))


def deny_normalise(value: str) -> str:
    """How deny-list names and addresses are compared: full-width folded, case-folded, single
    spaces; Chinese names as written."""
    text = unicodedata.normalize("NFKC", normalise_text(value)).casefold()
    return " ".join(text.split())


def deny_key_id(key: bytes) -> str:
    """Names a deny key without revealing it: entries made under one key match only under it."""
    return hmac_sha256_hex(key, b"lobby-kiosk deny key id")[:16]


def deny_hashes(key: bytes, name: str, email: str) -> dict[str, str | None]:
    """The keyed hashes a deny entry holds instead of a name and an address: exact name and
    address, and for near matches the name's parts in any order and the address's mailbox."""

    def mac(text: str) -> str | None:
        return hmac_sha256_hex(key, text.encode("utf-8")) if text else None

    clean_name, clean_email = deny_normalise(name), deny_normalise(email)
    return {
        "name_hash": mac(clean_name),
        "name_tokens_hash": mac(" ".join(sorted(clean_name.split()))),
        "email_hash": mac(clean_email),
        "email_local_hash": mac(clean_email.split("@")[0]) if "@" in clean_email else None,
    }


# The host directory as CSV: written by ``kiosk hosts export`` and the console, read by
# ``kiosk hosts import``, ``kiosk hub import-hosts`` and the console's import.
SUPPORTED_LANGUAGES = ("zh-TW", "en")
CSV_COLUMNS = ("id", "name", "department", "email", "notify", "language", "active", "company")


@record(frozen=False)
class ImportReport:
    added: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    @property
    def ok(self) -> bool:
        return not self.rejected


def parse_hosts_rows(
    text: str, company_known: Callable[[str], bool]
) -> tuple[list[Host], ImportReport]:
    """Read a host directory from UTF-8 CSV (with or without BOM), as the kiosk's ``kiosk hosts
    import`` and the hub's console both take it; every bad row is reported with its line."""
    import csv  # the host directory's files alone: every kiosk command imports this module

    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    missing = {"id", "name"} - set(reader.fieldnames or [])
    if missing:
        report.rejected.append((1, f"header lacks {', '.join(sorted(missing))}"))
        return [], report
    hosts: list[Host] = []
    seen: set[str] = set()
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:  # e.g. a field over the csv module's 128 KiB limit
            report.rejected.append((reader.line_num, f"cannot be read as CSV: {error}"))
            return [], report
        line = reader.line_num
        try:
            host = host_from_row(row, company_known)
        except ValueError as error:
            report.rejected.append((line, str(error)))
            continue
        if host.id in seen:
            report.rejected.append((line, f"id {host.id!r} appears twice"))
            continue
        seen.add(host.id)
        hosts.append(host)
    return hosts, report


def export_hosts_csv(hosts: Iterable[Host]) -> str:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for h in hosts:
        writer.writerow(
            [
                safe_cell(value)
                for value in (
                    h.id,
                    h.name,
                    h.department,
                    h.email,
                    " ".join(h.notify),
                    h.language,
                    "yes" if h.active else "no",
                    h.company_id,
                )
            ]
        )
    return out.getvalue()


def safe_cell(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; quote them as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def host_from_row(row: dict[str, str | None], company_known: Callable[[str], bool]) -> Host:
    """One host from a CSV row or a form with the same field names; ValueError says why not."""

    def cell(name: str) -> str:
        return normalise_text(row.get(name) or "")

    host_id, name = cell("id").lower(), cell("name")
    if not host_id or not all(c.isalnum() or c in "-_." for c in host_id) or len(host_id) > 40:
        raise ValueError("id must be 1-40 letters, digits, '-', '_' or '.'")
    if not name or len(name) > 100:
        raise ValueError("name must be 1-100 characters")
    language = cell("language")
    if language and language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"language {language!r} is not one of {', '.join(SUPPORTED_LANGUAGES)}")
    active = cell("active").lower() or "yes"
    if active not in ("yes", "no", "true", "false", "1", "0"):
        raise ValueError("active must be yes or no")
    company = cell("company")
    if company and not company_known(company):
        raise ValueError(f"company {company!r} is not one of the site's companies")
    email = cell("email")
    if email and ("@" not in email or " " in email):
        raise ValueError("email does not look like an address")
    return Host(
        id=host_id,
        name=name,
        department=cell("department"),
        email=email,
        notify=tuple(cell("notify").split()),
        language=language,
        active=active in ("yes", "true", "1"),
        company_id=company,
    )
