"""A catalog's strings come from the cache beside it only while the catalog is the file they were
made from; a cache that is missing, stale, broken or cannot be written costs a parse, never a
wrong string (``kiosk.asset_cache``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from kiosk.asset_cache import cache_path, load_strings
from kiosk.i18n import catalog, catalog_path, parse_catalog


class CountingParser:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str) -> Mapping[str, str]:
        self.calls += 1
        return parse_catalog(text)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "xx.toml"
    path.write_text('[welcome]\ntitle = "Welcome"\nstart = "開始"\n', encoding="utf-8")
    return path


def test_a_second_load_reads_the_cache_instead_of_parsing(source: Path) -> None:
    parse = CountingParser()
    first = load_strings(source, parse, write=True)
    second = load_strings(source, parse, write=True)
    assert first == second == {"welcome.title": "Welcome", "welcome.start": "開始"}
    assert parse.calls == 1
    assert cache_path(source).parent.name == "__pycache__"


def test_a_changed_catalog_is_parsed_again(source: Path) -> None:
    parse = CountingParser()
    load_strings(source, parse, write=True)
    stamp = source.stat()
    # Same size, new time: a translator's one-letter fix.
    source.write_text(source.read_text("utf-8").replace("Welcome", "Welkome"), encoding="utf-8")
    os.utime(source, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000))
    assert load_strings(source, parse, write=True)["welcome.title"] == "Welkome"
    # Same time, new size: a copy that kept the old file's time.
    source.write_text(source.read_text("utf-8").replace("Welkome", "Hello"), encoding="utf-8")
    os.utime(source, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000))
    assert load_strings(source, parse, write=True)["welcome.title"] == "Hello"
    assert parse.calls == 3


@pytest.mark.parametrize(
    "damage",
    [
        b'{"source": [1, 2',  # cut short
        b"\xff\xfe not json",
        b'["a list"]',
        b'{"source": "STAMP", "strings": {"welcome.title": 7}}',  # not all strings
        b'{"source": "STAMP", "strings": ["welcome.title"]}',
        b'{"source": [0, 0, 0], "strings": {"welcome.title": "Wrong"}}',  # another file's
    ],
)
def test_a_broken_or_foreign_cache_is_parsed_over(source: Path, damage: bytes) -> None:
    parse = CountingParser()
    load_strings(source, parse, write=True)
    cache = cache_path(source)
    stamp = json.dumps(json.loads(cache.read_bytes())["source"]).encode()
    cache.write_bytes(damage.replace(b'"STAMP"', stamp))
    assert load_strings(source, parse, write=True)["welcome.title"] == "Welcome"
    assert parse.calls == 2
    assert load_strings(source, parse, write=True)["welcome.title"] == "Welcome"
    assert parse.calls == 2  # rewritten whole


def test_no_cache_is_left_where_python_leaves_no_bytecode(
    source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.dont_write_bytecode", True)
    parse = CountingParser()
    load_strings(source, parse)
    load_strings(source, parse)
    assert parse.calls == 2
    assert not cache_path(source).parent.exists()


def test_a_place_that_cannot_be_written_still_gives_the_strings(source: Path) -> None:
    """As in a read-only installation (a plain file stands where the cache folder would be:
    the tests run as root, so a folder's permissions would not stop them)."""
    cache_path(source).parent.write_text("not a folder", encoding="utf-8")
    parse = CountingParser()
    assert load_strings(source, parse, write=True)["welcome.start"] == "開始"
    assert load_strings(source, parse, write=True)["welcome.start"] == "開始"
    assert parse.calls == 2
    assert sorted(path.name for path in source.parent.iterdir()) == ["__pycache__", "xx.toml"]


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_the_shipped_catalogs_read_the_same_from_cache_and_source(language: str) -> None:
    source = catalog_path(language)
    parsed = parse_catalog(source.read_text("utf-8"))
    assert load_strings(source, parse_catalog, write=True) == parsed
    assert load_strings(source, parse_catalog, write=False) == parsed
    assert catalog(language) == parsed
