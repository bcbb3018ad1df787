"""The host directory: who can be visited, found by typing a few letters, never browsed.

Hosts come from the store (``kiosk hosts import``) or, on a site that has imported none, from the
config's ``[[hosts]]``. Search matches the start of any part of a name, ignoring case and
full-width/half-width differences; in Chinese names any character can start a match, so 雅婷
finds 陳雅婷. It answers only from two characters on, and only a few names, so the tablet cannot
be used to read the staff list.
"""

from __future__ import annotations

import heapq
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from threading import Lock

from kiosk.config import Config
from kiosk.models import Company, Host
from kiosk.store import Store
from kiosk.wire import ImportReport, normalise_text, parse_hosts_rows

MIN_QUERY = 2
MAX_RESULTS = 5


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


def parse_hosts_csv(text: str, config: Config) -> tuple[list[Host], ImportReport]:
    """The shared CSV reader (``kiosk.wire``), with the companies of this kiosk's config."""
    return parse_hosts_rows(text, lambda company: config.company(company) is not None)


def import_hosts(store: Store, text: str, config: Config) -> ImportReport:
    """All rows or none: a file with any rejected row changes nothing."""
    hosts, report = parse_hosts_csv(text, config)
    if report.ok:
        report.added, report.updated = store.upsert_hosts(hosts)
    return report
