"""The smaller ways input went wrong: each gets one clear line, and nothing is lost or replaced."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config
from kiosk.hosts import parse_hosts_csv
from kiosk.records import replace
from kiosk.store import Store, StoreError


def _kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, check=False
    )


def test_a_config_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_bytes('[site]\nname = "大樓"\n'.encode("big5"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(config, env={})
    run = _kiosk("--config", str(config), "--data-dir", str(tmp_path / "d"), "visits")
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


@pytest.mark.parametrize("kiosk_id", ["../../etc", "..", "Lobby 1", "a/b", "x" * 65, ""])
def test_a_kiosk_id_must_be_a_plain_name(tmp_path: Path, kiosk_id: str) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[site]\nkiosk_id = "{kiosk_id}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="kiosk_id"):
        load_config(config, env={})


def test_a_host_csv_field_over_128_kib_is_a_rejected_line(tmp_path: Path) -> None:
    config = replace(load_config(env={}), data_dir=tmp_path)
    text = "id,name\nh-1,Amy\nh-2," + "x" * (200 * 1024) + "\n"
    hosts, report = parse_hosts_csv(text, config)
    assert hosts == [] and not report.ok
    ((line, reason),) = report.rejected
    assert line == 2  # the header is line 1; the csv module counts the lines it has read
    assert "cannot be read as CSV" in reason and "field larger than field limit" in reason
    csv_file = tmp_path / "hosts.csv"
    csv_file.write_text(text, encoding="utf-8")
    run = _kiosk("--data-dir", str(tmp_path / "d"), "hosts", "import", str(csv_file))
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "cannot be read as CSV" in run.stderr


def test_a_zero_byte_store_is_refused_not_replaced(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "kiosk.db").write_bytes(b"")
    with pytest.raises(StoreError, match="empty"):
        Store(data / "kiosk.db")
    run = _kiosk("--data-dir", str(data), "visits")
    assert run.returncode == 1 and "0 bytes" in run.stderr and "Traceback" not in run.stderr
    assert (data / "kiosk.db").stat().st_size == 0


def test_another_programs_database_is_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.close()
    with pytest.raises(StoreError, match="another program"):
        Store(other)
    with sqlite3.connect(other) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert tables == {"photos"}
