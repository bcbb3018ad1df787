"""A private PostgreSQL server for the tests: its own cluster in a temporary directory, listening
only on 127.0.0.1 at a free port (and a socket in that directory), gone when the session ends.

PostgreSQL refuses to run as root, so under root (CI) the cluster belongs to the ``postgres``
user the Debian package creates, and the server runs as that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

INSTALL_HINT = (
    "PostgreSQL is missing: sudo apt-get install -y postgresql (make test does it as root)"
)


FAST_SETTINGS = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
# The bench's hub runs on a stock server (fsync on, max_wal_size 1 GB). With 4 GB it had seemed
# to hold fewer commits for ~100 ms beside a purge of 1,000,000 visits; those were the hub
# process's own cycle collections (now frozen out of its way, see ``kiosk hub serve``). With 1 GB
# the batches beside such a purge, since it writes its pages out as it goes while they come
# (``kiosk.hub.erasing.WRITE_OUT_AS_YOU_GO``): p99 2-4 ms; the slowest 5-20 ms in some runs,
# 25-120 ms in others on days the disk was slow, with it or without (on 12-02 without it, 50-94
# ms in every run, 30 s after the deletes).
HUB_SETTINGS: list[str] = []


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_owner() -> dict[str, Any]:
    """Run as ``postgres`` when we are root (PostgreSQL refuses root), with no wrapper between
    us and the server: runuser passed on no SIGINT, so it could not be asked to stop at once."""
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres", "extra_groups": []}


def postgres_server(durable: bool = False) -> Iterator[str]:
    """Yields a libpq URL to the ``postgres`` database of a fresh cluster. Tests run it with
    fsync off (fast, and nothing to lose); ``durable=True`` keeps PostgreSQL's defaults (fsync
    and full-page writes on) with the README's settings for a hub, for benchmarks that must not
    be flattered."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise RuntimeError(INSTALL_HINT)
    root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    subprocess.run(
        [str(bin_dir / "initdb"), "-D", str(data), "-U", "kiosk", "-A", "trust", "--no-sync"],
        check=True,
        capture_output=True,
        cwd=root,
        **_as_owner(),
    )
    server = subprocess.Popen(
        [
            str(bin_dir / "postgres"),
            "-D", str(data),
            "-h", "127.0.0.1",
            "-p", str(port),
            "-k", str(root),
            "-c", "max_connections=200",
            *(HUB_SETTINGS if durable else FAST_SETTINGS),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=root,
        **_as_owner(),
    )  # fmt: skip
    url = f"postgresql://kiosk@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(url, connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the test PostgreSQL server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        # Immediate shutdown: the cluster is deleted next, so neither the clients still
        # connected (pools of engines not yet disposed) nor a shutdown checkpoint are waited
        # for. SIGTERM asked for a smart one, which waits for the clients (runuser killed the
        # server 2 s later); a fast one still wrote every dirty page of the suite's hundreds
        # of databases first (4.5 s at the end of a full run).
        server.send_signal(signal.SIGQUIT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(server_url: str, name: str, template: str = "") -> str:
    """An empty database called ``name`` (dropped first if there is one), by URL; with a
    ``template``, a copy of that database, file by file: ~2 s for a hub of 1,000,000 visits
    that takes a minute to grow (no one may be connected to the template meanwhile)."""
    copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"{copy}')
    return server_url.rsplit("/", 1)[0] + f"/{name}"
