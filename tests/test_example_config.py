from __future__ import annotations

from pathlib import Path

from kiosk.config import load_config

EXAMPLE = Path(__file__).resolve().parent.parent / "kiosk.example.toml"


def test_documented_example_loads_and_matches_the_defaults() -> None:
    example = load_config(EXAMPLE, env={})
    defaults = load_config(env={})
    for key in (
        "site_name",
        "timezone",
        "controller_name",
        "privacy_contact",
        "languages",
        "default_language",
        "idle_timeout_seconds",
        "retention_days",
        "printer_backend",
        "purposes",
        "badge_zone",
        "signing_key_file",
        "auto_checkout_time",
        "host_picker",
        "notify_email_url",
        "notify_visitor_name",
        "notify_give_up_hours",
        "visitor_copy",
        "companies",
        "printer_model",
        "printer_timeout",
        "printer_status_check",
        "printer_name",
        "email_retention_days",
        "notes_retention_days",
        "audit_retention_days",
        "lockdown",
    ):
        assert getattr(example, key) == getattr(defaults, key), key
    assert [h.id for h in example.hosts] == ["h-chen", "h-lin"]
