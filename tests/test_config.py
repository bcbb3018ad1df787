from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config
from kiosk.config_tables import MAX_RETENTION_DAYS


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_runs_with_no_file_at_all() -> None:
    config = load_config(env={})
    assert config.retention_days == 30
    assert config.idle_timeout_seconds == 60
    assert config.languages == ("zh-TW", "en")
    assert [p.key for p in config.purposes][:2] == ["meeting", "interview"]
    assert config.hosts
    assert config.database_path.name == "kiosk.db"


def test_file_values_override_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[site]
name = "Harbour House"
timezone = "Europe/Berlin"
[controller]
name = "Harbour GmbH"
privacy_contact = "dpo@harbour.example"
[retention]
days = 7
[kiosk]
languages = ["en"]
idle_timeout_seconds = 90
[[hosts]]
id = "h-1"
name = "Jo"
[[purposes]]
key = "tour"
en = "Tour"
zh-TW = "參觀"
""",
    )
    config = load_config(path, env={})
    assert (config.site_name, config.timezone, config.retention_days) == (
        "Harbour House",
        "Europe/Berlin",
        7,
    )
    assert config.controller_name == "Harbour GmbH"
    assert config.languages == ("en",)
    assert config.default_language == "en"  # zh-TW is not offered, so it cannot be the default
    assert [h.id for h in config.hosts] == ["h-1"]
    assert config.purpose("tour") is not None
    assert config.source == str(path)


def test_environment_and_flags(tmp_path: Path) -> None:
    path = write(tmp_path, "[retention]\ndays = 3\n")
    env = {"KIOSK_CONFIG": str(path), "KIOSK_DATA_DIR": str(tmp_path / "env")}
    assert load_config(env=env).retention_days == 3
    assert load_config(env=env).data_dir == tmp_path / "env"
    flag = load_config(data_dir=tmp_path / "flag", env=env)
    assert flag.data_dir == tmp_path / "flag"
    assert flag.database_path == tmp_path / "flag" / "kiosk.db"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[retention]\ndays = 400\n", ["[retention] days", "400", f"1 to {MAX_RETENTION_DAYS}"]),
        ("[retention]\ndays = 0\n", ["[retention] days", "1 to 365"]),
        ('[retention]\ndays = "30"\n', ["[retention] days", "whole number"]),
        ("[retention]\ndayz = 30\n", ["[retention] dayz", "unknown key", "days"]),
        ("[kiosk]\nidle_timeout_seconds = 1\n", ["idle_timeout_seconds", "15 to 3600"]),
        ('[kiosk]\nlanguages = ["fr"]\n', ["languages", "'zh-TW'", "'en'"]),
        ('[kiosk]\nlanguages = ["en"]\ndefault_language = "zh-TW"\n', ["default_language"]),
        ('[site]\ntimezone = "Mars/Base"\n', ["timezone", "IANA"]),
        ('[printer]\nbackend = "laser"\n', ["[printer] backend", "'file'", "'none'"]),
        ("[[hosts]]\nid = 'A B'\nname = 'x'\n", ["hosts[0]", "id", "lower-case"]),
        (
            "[[hosts]]\nid = 'a'\nname = 'x'\n[[hosts]]\nid = 'a'\nname = 'y'\n",
            ["[[hosts]]", "repeats a"],
        ),
        ("site = 3\n", ["site", "must be a table"]),
        ('[hub]\nurl = "http://hub.example"\n', ["[hub] url", "https://"]),
        ("[site\nname = 'x'\n", ["not valid TOML"]),
    ],
)
def test_wrong_values_name_file_key_and_allowed(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_config(path, env={})
    message = str(raised.value)
    assert message.startswith(str(path))
    for part in expected:
        assert part in message


def test_hub_url_may_be_empty_https_or_local(tmp_path: Path) -> None:
    for url in (
        "",
        "https://hub.example/v1",
        "http://127.0.0.1:8080",
        "http://[::1]:1/",
        "http://127.8.0.1",
    ):
        assert load_config(write(tmp_path, f'[hub]\nurl = "{url}"\n'), env={}).hub_url == url


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost.evil.example",
        "http://127.0.0.1@evil.example/",
        "http://127.0.0.1.evil.example/",
        "http://[::1].evil.example/",
        "https://user:secret@hub.example/",
        "ftp://127.0.0.1/",
        "http://127.0.0.1:port/",
        "http://10.0.0.5/",
    ],
)
def test_hub_url_is_judged_by_its_parsed_host(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match="https://"):
        load_config(write(tmp_path, f'[hub]\nurl = "{url}"\n'), env={})


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml", env={})
