"""The host directory: who can be visited, found by typing a few letters, never browsed.

Hosts come from the store (``kiosk hosts import``) or, on a site that has imported none, from the
config's ``[[hosts]]``. Search matches the start of any part of a name, ignoring case and
full-width/half-width differences; in Chinese names any character can start a match, so 雅婷
finds 陳雅婷. It answers only from two characters on, and only a few names, so the tablet cannot
be used to read the staff list.
"""

from __future__ import annotations

import csv
import heapq
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from threading import Lock

from kiosk.config import Config
from kiosk.config_tables import SUPPORTED_LANGUAGES
from kiosk.models import Company, Host
from kiosk.store import Store
from kiosk.wire import normalise_text

MIN_QUERY = 2
MAX_RESULTS = 5
CSV_COLUMNS = ("id", "name", "department", "email", "notify", "language", "active", "company")


def fold(text: str) -> str:
    """Comparable form: NFKC folds full-width letters to ASCII, casefold ignores case."""
    return unicodedata.normalize("NFKC", text).casefold()


def _is_cjk(char: str) -> bool:
    return "CJK" in unicodedata.name(char, "") or "\u3040" <= char <= "\u30ff"


def search_keys(name: str) -> set[str]:
    """Every start point a query may match: each word, and each character of a CJK run."""
    keys: set[str] = set()
    for word in fold(name).split():
        keys.add(word)
        for index, char in enumerate(word):
            if _is_cjk(char) and index > 0:
                keys.add(word[index:])
    return keys


def is_searchable(query: str) -> bool:
    """Long enough to search: one Latin letter lists half the building; one Chinese character
    (a family name, 陳) does not."""
    wanted = fold(normalise_text(query))
    return len(wanted) >= MIN_QUERY or bool(wanted and _is_cjk(wanted[0]))


@dataclass
class _Index:
    """Everything a keystroke needs, computed once when the directory loads: rebuilding search
    keys (``unicodedata.name`` per character) for every host on every keystroke cost 8-70 ms
    over 5,000 hosts."""

    hosts: dict[str, Host] = field(default_factory=dict)
    keys: list[tuple[str, str]] = field(default_factory=list)  # (key, host id), sorted
    host_keys: dict[str, frozenset[str]] = field(default_factory=dict)
    folded: dict[str, str] = field(default_factory=dict)  # host id -> fold(name)


class HostDirectory:
    """Active hosts by id and by prefix. Thread-safe: the UI searches while workers reload."""

    def __init__(self, store: Store, config: Config) -> None:
        self._store = store
        self._config = config
        self._lock = Lock()
        self._index = _Index()
        self.reload()

    def reload(self) -> None:
        stored = self._store.hosts()
        hosts = stored if stored else list(self._config.hosts)
        index = _Index(hosts={h.id: h for h in hosts})
        index.host_keys = {h.id: frozenset(search_keys(h.name)) for h in hosts if h.active}
        index.folded = {h.id: fold(h.name) for h in hosts}
        index.keys = sorted((key, id_) for id_, keys in index.host_keys.items() for key in keys)
        with self._lock:
            self._index = index

    def get(self, host_id: str) -> Host | None:
        return self._index.hosts.get(host_id)

    def is_active(self, host_id: str) -> bool:
        host = self.get(host_id)
        return host is not None and host.active

    def active_and_inactive(self) -> list[Host]:
        index = self._index
        return sorted(index.hosts.values(), key=lambda h: (index.folded[h.id], h.id))

    def active(self) -> list[Host]:
        index = self._index
        return sorted(
            (h for h in index.hosts.values() if h.active), key=lambda h: index.folded[h.id]
        )

    def company_of(self, host_id: str) -> Company | None:
        host = self.get(host_id)
        return self._config.company(host.company_id) if host and host.company_id else None

    def search(self, query: str, limit: int = MAX_RESULTS) -> list[Host]:
        """Hosts whose name parts start with every word typed ("amy ch" finds Amy Chen)."""
        if not is_searchable(query):
            return []
        wanted = fold(normalise_text(query))
        index = self._index
        # Each word typed selects a range of the sorted keys; a host must be in every range.
        ids: set[str] | None = None
        for word in wanted.split():
            low = _first_at_or_after(index.keys, word)
            high = _first_at_or_after(index.keys, word + "\U0010ffff")
            found = {host_id for _key, host_id in index.keys[low:high]}
            ids = found if ids is None else ids & found
            if not ids:
                return []
        matches = [index.hosts[host_id] for host_id in ids or ()]
        folded = index.folded
        # Only the first ``limit`` are shown: a partial sort (a "ch" matches a thousand hosts).
        return heapq.nsmallest(
            limit, matches, key=lambda h: (not folded[h.id].startswith(wanted), folded[h.id], h.id)
        )


def _first_at_or_after(keys: Sequence[tuple[str, str]], wanted: str) -> int:
    low, high = 0, len(keys)
    while low < high:
        middle = (low + high) // 2
        if keys[middle][0] < wanted:
            low = middle + 1
        else:
            high = middle
    return low


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    @property
    def ok(self) -> bool:
        return not self.rejected


def parse_hosts_csv(text: str, config: Config) -> tuple[list[Host], ImportReport]:
    """Read a UTF-8 CSV (with or without BOM); every bad row is reported with its line."""
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
            host = _host_from_row(row, config)
        except ValueError as error:
            report.rejected.append((line, str(error)))
            continue
        if host.id in seen:
            report.rejected.append((line, f"id {host.id!r} appears twice"))
            continue
        seen.add(host.id)
        hosts.append(host)
    return hosts, report


def import_hosts(store: Store, text: str, config: Config) -> ImportReport:
    """All rows or none: a file with any rejected row changes nothing."""
    hosts, report = parse_hosts_csv(text, config)
    if report.ok:
        report.added, report.updated = store.upsert_hosts(hosts)
    return report


def export_hosts_csv(hosts: Iterable[Host]) -> str:
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


def _host_from_row(row: dict[str, str | None], config: Config) -> Host:
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
    if company and config.company(company) is None:
        raise ValueError(f"company {company!r} is not in the site config")
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
