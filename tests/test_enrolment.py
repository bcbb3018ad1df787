"""Enrolling a kiosk with a one-time code instead of a pasted key: the code works once and for a
day, the key lands in the data directory with mode 0600, and the kiosk then syncs with it."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import requests

from kiosk.cli import main
from kiosk.config import load_config
from kiosk.hub.enrolment import new_enrolment
from kiosk.hub.service import HubService
from tests.conftest import FakeClock
from tests.hub_server import hub_rows


def _kiosk_config(tmp_path: Path) -> Path:
    site = tmp_path / "kiosk.toml"
    site.write_text('[site]\nname = "Harbour"\nkiosk_id = "harbour-1"\n', encoding="utf-8")
    return site


def test_a_code_is_traded_once_for_the_key_which_the_kiosk_then_syncs_with(
    console_hub: tuple[HubService, str],
    clock: FakeClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    hub, url = console_hub
    first_key = hub.add_kiosk("harbour-1", "Harbour")
    code = new_enrolment(hub.engine, hub.clock, "harbour-1", "Harbour")
    assert re_code(code)
    kiosk = ["--config", str(_kiosk_config(tmp_path)), "--data-dir", str(tmp_path / "data")]
    assert main([*kiosk, "enroll", url, code.lower()]) == 0  # typed in lower case: still fine
    said = capsys.readouterr().out
    assert "enrolled as kiosk harbour-1 of site Harbour" in said
    assert "the site's deny and rights keys fetched" in said
    for key_file in ("deny.key", "rights.key"):  # from the hub, none copied by hand
        held = tmp_path / "data" / "keys" / key_file
        assert stat.S_IMODE(held.stat().st_mode) == 0o600
    site_deny = hub_rows(hub, "SELECT value FROM site_secrets WHERE name = 'deny'")
    assert (tmp_path / "data" / "keys" / "deny.key").read_text() == site_deny[0]["value"]
    saved = tmp_path / "data" / "hub.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    enrolled = json.loads(saved.read_text())
    assert enrolled["url"] == url and enrolled["token"] != first_key
    assert hub.authenticate(first_key) is None  # the pasted key of before no longer works
    config = load_config(tmp_path / "kiosk.toml", tmp_path / "data", env={})
    assert (config.hub_url, config.hub_token) == (url, enrolled["token"])
    assert (
        main(
            [
                *kiosk,
                "checkin",
                "--name",
                "Ann",
                "--email",
                "ann@example.org",
                "--purpose",
                "meeting",
                "--accept-notice",
            ]
        )
        == 0
    )
    assert main([*kiosk, "sync"]) == 0  # with the enrolled key
    assert len(hub.on_site("Harbour")) == 1

    assert main([*kiosk, "enroll", url, code]) == 2  # used up
    assert "used or is over 24 hours old" in capsys.readouterr().err


def test_a_code_expires_after_a_day_and_a_large_body_is_refused_before_it_is_read(
    console_hub: tuple[HubService, str], clock: FakeClock, tmp_path: Path
) -> None:
    hub, url = console_hub
    hub.add_kiosk("harbour-2", "Harbour")
    code = new_enrolment(hub.engine, hub.clock, "harbour-2", "Harbour")
    clock.advance(hours=25)
    assert requests.post(f"{url}/v1/enroll", json={"code": code}, timeout=5).status_code == 403
    huge = requests.post(f"{url}/v1/enroll", data=b"{" + b" " * 10_000 + b"}", timeout=5)
    assert huge.status_code == 413


def re_code(code: str) -> bool:
    import re

    return re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code) is not None


def test_add_kiosk_prints_the_key_and_a_one_time_code_with_its_qr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    base = ["--data-dir", str(tmp_path / "k"), "hub", "add-kiosk", "lobby-9", "--site", "Harbour"]
    assert main([*base, "--db", db]) == 0
    out = capsys.readouterr()
    assert out.out.strip().startswith("lkh_")  # the key, once
    found = [w for w in out.err.split() if re_code(w)]
    assert len(found) == 1 and "kiosk enroll HUB-URL" in out.err
    assert "█" in out.err or "▀" in out.err  # the code as a QR in the terminal
