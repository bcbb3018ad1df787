"""The host directory: who can be visited, found by typing a few letters, never browsed.

Hosts come from the store (``kiosk hosts import``) or, on a site that has imported none, from the
config's ``[[hosts]]``. Search matches the start of any part of a name, ignoring case and
full-width/half-width differences; in Chinese names any character can start a match, so 雅婷
finds 陳雅婷. It answers only from two characters on, and only a few names, so the tablet cannot
be used to read the staff list.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from itertools import islice
from threading import Lock

from kiosk.config import Config
from kiosk.models import Company, Host
from kiosk.records import field, record
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
    return _long_enough(fold(normalise_text(query)))


def _long_enough(wanted: str) -> bool:
    return len(wanted) >= MIN_QUERY or bool(wanted and _is_cjk(wanted[0]))


@record(frozen=False)
class _Index:
    """Everything a keystroke needs, computed once when the directory loads: rebuilding search
    keys (``unicodedata.name`` per character) for every host on every keystroke cost 8-70 ms
    over 5,000 hosts.

    A host is known by its rank in the order proposals are shown (folded name, then id), so a
    keystroke works on small integers: the hosts under a word are a slice of ``key_ranks``, and
    the names that start with the whole query are one run of ranks: sets and sorts of integers,
    all in C. Tuples of (key, host id) and a ranking key per match, in Python, took 0.4-0.7 ms a
    keystroke over 5,000 hosts; this takes ~0.1."""

    hosts: dict[str, Host] = field(default_factory=dict)
    ranked: list[Host] = field(default_factory=list)  # in the order proposals are shown
    folded: list[str] = field(default_factory=list)  # fold(name) of ``ranked``, same order
    key_words: list[str] = field(default_factory=list)  # every active host's search keys, sorted
    key_ranks: list[int] = field(default_factory=list)  # the rank each of those keys belongs to

    @classmethod
    def of(cls, hosts: Sequence[Host]) -> _Index:
        folded_by_id = {h.id: fold(h.name) for h in hosts}
        ranked = sorted(hosts, key=lambda h: (folded_by_id[h.id], h.id))
        keys = sorted(
            (key, rank)
            for rank, host in enumerate(ranked)
            if host.active
            for key in search_keys(host.name)
        )
        return cls(
            hosts={h.id: h for h in hosts},
            ranked=ranked,
            folded=[folded_by_id[h.id] for h in ranked],
            key_words=[key for key, _rank in keys],
            key_ranks=[rank for _key, rank in keys],
        )

    def ranks_under(self, word: str) -> list[int]:
        """The ranks of the active hosts with a name part that starts with ``word`` (a host
        with two such parts is there twice)."""
        low = bisect_left(self.key_words, word)
        high = bisect_left(self.key_words, word + _LAST_CHARACTER, low)
        return self.key_ranks[low:high]

    def whole_name_run(self, wanted: str) -> range:
        """The ranks of the hosts whose whole folded name starts with ``wanted``: one run, as
        ranks follow the folded names."""
        low = bisect_left(self.folded, wanted)
        return range(low, bisect_left(self.folded, wanted + _LAST_CHARACTER, low))


_LAST_CHARACTER = "\U0010ffff"  # sorts after any text that starts with the same prefix


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
        index = _Index.of(stored if stored else list(self._config.hosts))
        with self._lock:
            self._index = index

    def get(self, host_id: str) -> Host | None:
        return self._index.hosts.get(host_id)

    def is_active(self, host_id: str) -> bool:
        host = self.get(host_id)
        return host is not None and host.active

    def active_and_inactive(self) -> list[Host]:
        return list(self._index.ranked)

    def active(self) -> list[Host]:
        return [host for host in self._index.ranked if host.active]

    def company_of(self, host_id: str) -> Company | None:
        host = self.get(host_id)
        return self._config.company(host.company_id) if host and host.company_id else None

    def search(self, query: str, limit: int = MAX_RESULTS) -> list[Host]:
        """Hosts whose name parts start with every word typed ("amy ch" finds Amy Chen)."""
        wanted = fold(normalise_text(query))
        if not _long_enough(wanted):
            return []
        index = self._index
        # Each word typed selects a run of the sorted keys; a host must be under every word.
        ranks: set[int] | None = None
        for word in wanted.split():
            under = index.ranks_under(word)
            ranks = set(under) if ranks is None else ranks.intersection(under)
            if not ranks:
                return []
        if not ranks:
            return []
        # Names that start with the whole query first, then the rest, each in rank order. The
        # whole name's run is in rank order: its first matches are taken as they come, not all
        # of them sorted (~1/3 of a keystroke's search, for "ch" over 5,000 hosts).
        whole = index.whole_name_run(wanted)
        shown = list(islice(filter(ranks.__contains__, whole), limit))
        if len(shown) < limit:
            shown += sorted(ranks.difference(whole))[: limit - len(shown)]
        return [index.ranked[rank] for rank in shown]


def parse_hosts_csv(text: str, config: Config) -> tuple[list[Host], ImportReport]:
    """The shared CSV reader (``kiosk.wire``), with the companies of this kiosk's config."""
    return parse_hosts_rows(text, lambda company: config.company(company) is not None)


def import_hosts(store: Store, text: str, config: Config) -> ImportReport:
    """All rows or none: a file with any rejected row changes nothing."""
    hosts, report = parse_hosts_csv(text, config)
    if report.ok:
        report.added, report.updated = store.upsert_hosts(hosts)
    return report
