"""A shipped catalog's strings, kept parsed beside it so that a start need not parse TOML.

Why: a ``kiosk checkin`` renders the privacy notice, which needs its language's catalog. Parsing
the TOML cost ~2.5 ms and importing ``tomllib`` ~5 more (its parser compiles a dozen regular
expressions); under load the two were ~16 of the command's ~150 ms. Loading the same strings as
JSON (``json`` is loaded anyway) takes ~0.1 ms.

The cache follows Python's own bytecode cache: it lives in ``__pycache__`` beside its source, is
used only while the source has the size and modification time it was made from, is written
atomically, is not written where Python writes no bytecode either (``PYTHONDONTWRITEBYTECODE``),
and a cache that cannot be read or written is simply not used. Translators edit the TOML; a
changed catalog is parsed again at its next use.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from contextlib import suppress
from pathlib import Path

CACHE_DIR = "__pycache__"
_FORMAT = 1  # raise when the layout of a cache file changes: old caches are then parsed again


def cache_path(source: Path) -> Path:
    return source.parent / CACHE_DIR / f"{source.name}.json"


def load_strings(
    source: Path, parse: Callable[[str], Mapping[str, str]], *, write: bool | None = None
) -> Mapping[str, str]:
    """The strings of ``source`` as ``parse`` makes them from its text, from the cache when it was
    made from this very file. ``write``: whether to leave a cache for the next start (by default,
    where Python would leave bytecode)."""
    stamp = source.stat()
    key = [_FORMAT, stamp.st_mtime_ns, stamp.st_size]
    cache = cache_path(source)
    cached = _read(cache, key)
    if cached is not None:
        return cached
    strings = parse(source.read_text(encoding="utf-8"))
    if write is None:
        write = not sys.dont_write_bytecode
    if write:
        _write(cache, key, strings)
    return strings


def _read(path: Path, key: list[int]) -> dict[str, str] | None:
    try:
        stored = json.loads(path.read_bytes())
    except (OSError, ValueError):  # none yet, unreadable, or cut short: parse the source
        return None
    if not isinstance(stored, dict) or stored.get("source") != key:
        return None
    strings = stored.get("strings")
    if not isinstance(strings, dict):
        return None
    if not all(isinstance(value, str) for value in strings.values()):
        return None
    return strings


def _write(path: Path, key: list[int], strings: Mapping[str, str]) -> None:
    """Write to a file of this process's own, then rename it into place: a window and its print
    process starting at once never read half a file."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(exist_ok=True)
        partial.write_text(
            json.dumps({"source": key, "strings": strings}, ensure_ascii=False), encoding="utf-8"
        )
        os.replace(partial, path)
    except OSError:  # a read-only installation: every start parses, as before the cache
        with suppress(OSError):
            partial.unlink(missing_ok=True)
