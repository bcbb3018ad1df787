"""The config is its sections: every field of ``Config`` belongs to exactly one section's
record (or is one of the three that say where and from what it came), and each section's
parser reads only its own table."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import Config, ConfigError, load_config
from kiosk.config_sections import SECTIONS, TablesSection
from kiosk.records import fields


def test_every_field_of_the_config_has_one_home() -> None:
    homes: dict[str, str] = {}
    for section in (*SECTIONS, TablesSection):
        for field in fields(section):
            assert field.name not in homes, f"{field.name} in {homes.get(field.name)} too"
            homes[field.name] = section.__name__
    own = {field.name for field in fields(Config)} - set(homes)
    assert own == {"data_dir", "source", "demo"}


def test_the_config_is_one_record_of_all_its_sections() -> None:
    """A section is only ever part of ``Config``: two configs of the same file are equal, and
    the config shows its fields (the sections' first) when logged."""
    a, b = load_config(env={}), load_config(env={})
    assert a == b and repr(a).startswith("Config(site_name=")
    assert [f.name for f in fields(Config)][:3] == ["site_name", "kiosk_id", "timezone"]


@pytest.mark.parametrize(
    ("table", "text", "field", "value"),
    [
        ("printer", 'backend = "cups"\nqueue = "Office"', "printer_queue", "Office"),
        ("notify", 'visitor_name = "initials"', "notify_visitor_name", "initials"),
        ("retention", "days = 14\nemail_days = 7", "email_retention_days", 7),
        ("site", 'kiosk_id = "north-1"', "kiosk_id", "north-1"),
    ],
)
def test_a_section_sets_its_fields(
    tmp_path: Path, table: str, text: str, field: str, value: object
) -> None:
    site = tmp_path / "site.toml"
    site.write_text(f"[{table}]\n{text}\n", encoding="utf-8")
    assert getattr(load_config(site, tmp_path, env={}), field) == value


def test_a_key_of_another_section_is_refused_with_its_name(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[printer]\nemail_url = "mailto://x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[printer\] email_url"):
        load_config(site, tmp_path, env={})
