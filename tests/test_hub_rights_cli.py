"""``kiosk hub rights …`` and ``kiosk hub site-keys adopt`` against a real hub and a real kiosk,
and the new /v1 routes under another site's key."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk.cli import main
from kiosk.wire import deny_key_id
from tests.conftest import FakeClock
from tests.hub_server import hub_service, serve_hub
from tests.test_site_wide import PERSON, SITE, Lobby, _lobby


@pytest.fixture
def hub_db_file(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def lobby(tmp_path: Path, hub_db_file: str, clock: FakeClock) -> Iterator[tuple[str, Lobby]]:
    service = hub_service(hub_db_file, clock)
    with serve_hub(service) as url:
        one = _lobby(tmp_path, "lobby-1", url, service, clock)
        yield url, one
        one.store.close()
    service.close()


def _hub(tmp_path: Path, db: str, *args: str) -> list[str]:
    return ["--data-dir", str(tmp_path / "cli"), "hub", *args, "--db", db]


def test_erase_and_status_on_the_command_line(
    tmp_path: Path,
    hub_db_file: str,
    lobby: tuple[str, Lobby],
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _url, one = lobby
    one.visit(PERSON)
    one.sync(clock)
    erase = ["rights", "erase", "--site", SITE, "--email", PERSON[1], "--json"]
    assert main(_hub(tmp_path, hub_db_file, *erase)) == 0
    receipt = json.loads(capsys.readouterr().out)["receipt"]
    status = ["rights", "status", receipt, "--json"]
    assert main(_hub(tmp_path, hub_db_file, *status)) == 0
    assert json.loads(capsys.readouterr().out)["kiosks"] == {"lobby-1": "pending"}
    one.sync(clock)
    assert main(_hub(tmp_path, hub_db_file, *status)) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["kiosks"] == {"lobby-1": "done"} and answer["complete"]
    assert one.store.visits() == []

    bad = ["rights", "erase", "--site", SITE, "--email", "not an address"]
    assert main(_hub(tmp_path, hub_db_file, *bad)) == 2
    assert "is not an email address" in capsys.readouterr().err
    assert main(_hub(tmp_path, hub_db_file, "rights", "status", "NOPE")) == 2


def test_export_waits_for_the_kiosks_then_downloads_once(
    tmp_path: Path,
    hub_db_file: str,
    lobby: tuple[str, Lobby],
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _url, one = lobby
    one.visit(PERSON)
    one.sync(clock)
    out = tmp_path / "person.json"
    export = ["rights", "export", "--site", SITE, "--email", PERSON[1], "--out", str(out)]
    assert main(_hub(tmp_path, hub_db_file, *export)) == 0
    said = capsys.readouterr().out
    assert "lobby-1 pending" in said and not out.exists()
    receipt = said.split()[1].rstrip(":")
    one.sync(clock)
    download = ["rights", "download", receipt, "--out", str(out)]
    assert main(_hub(tmp_path, hub_db_file, *download)) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    records = json.loads(out.read_text(encoding="utf-8"))["records"]
    assert records["lobby-1"][0]["name"] == PERSON[0]
    assert main(_hub(tmp_path, hub_db_file, *download)) == 2  # erased at the hub once fetched
    assert "already downloaded" in capsys.readouterr().err


def test_adopting_an_existing_kiosks_deny_key_keeps_its_entries_working(
    tmp_path: Path, hub_db_file: str, lobby: tuple[str, Lobby], clock: FakeClock
) -> None:
    _url, one = lobby
    own_key = (one.config.keys_dir / "deny.key").read_text()
    adopt = [
        "site-keys",
        "adopt",
        "--site",
        SITE,
        "--deny-key",
        str(one.config.keys_dir / "deny.key"),
    ]
    assert main(_hub(tmp_path, hub_db_file, *adopt)) == 0
    one.sync(clock)
    assert (one.config.keys_dir / "deny.key").read_text() == own_key  # kept, not replaced
    assert one.deny.key_id == deny_key_id(bytes.fromhex(own_key))
    junk = tmp_path / "junk.key"
    junk.write_text("not hex")
    bad = ["site-keys", "adopt", "--site", SITE, "--deny-key", str(junk)]
    assert main(_hub(tmp_path, hub_db_file, *bad)) == 2


def test_another_sites_kiosk_sees_and_answers_nothing_of_this_site(
    lobby: tuple[str, Lobby], clock: FakeClock, tmp_path: Path, hub_db_file: str
) -> None:
    url, one = lobby
    service = hub_service(hub_db_file, clock)
    stranger = {"Authorization": f"Bearer {service.add_kiosk('other-1', 'Other Site')}"}
    one.visit(PERSON)
    one.sync(clock)
    from kiosk.hub.rights_desk import RightsDesk

    receipt = RightsDesk(service).request(SITE, "erase", PERSON[1], "po")
    assert requests.get(f"{url}/v1/rights", headers=stranger, timeout=5).json() == {"requests": []}
    answer = requests.post(
        f"{url}/v1/rights/{receipt}", json={"visit_ids": []}, headers=stranger, timeout=5
    )
    assert answer.status_code == 404
    theirs = requests.get(f"{url}/v1/site-keys", headers=stranger, timeout=5).json()
    ours = requests.get(
        f"{url}/v1/site-keys",
        headers={"Authorization": f"Bearer {one.config.hub_token}"},
        timeout=5,
    ).json()
    assert theirs["deny_key"] != ours["deny_key"] and theirs["rights_key"] != ours["rights_key"]
    assert theirs["badge_keys"] == [] and ours["badge_keys"]
    forged = dict(ours["badge_keys"][0], kid="00000000")
    refused = requests.post(
        f"{url}/v1/badge-keys", json={"keys": [forged]}, headers=stranger, timeout=5
    )
    assert refused.status_code == 422
    assert RightsDesk(service).status(SITE, receipt).kiosks == {"lobby-1": "pending"}
    service.close()


def test_an_export_answer_that_is_not_unicode_is_refused_not_crashed_on(
    lobby: tuple[str, Lobby], clock: FakeClock, hub_db_file: str
) -> None:
    url, one = lobby
    service = hub_service(hub_db_file, clock)
    from kiosk.hub.rights_desk import RightsDesk

    receipt = RightsDesk(service).request(SITE, "export", PERSON[1], "po")
    headers = {
        "Authorization": f"Bearer {one.config.hub_token}",
        "Content-Type": "application/json",
    }
    body = '{"records": [{"name": "\\ud800"}]}'  # a lone surrogate, escaped as JSON allows
    answer = requests.post(f"{url}/v1/rights/{receipt}", data=body, headers=headers, timeout=5)
    assert answer.status_code == 422 and "not Unicode" in answer.text
    assert RightsDesk(service).status(SITE, receipt).kiosks == {"lobby-1": "pending"}
    service.close()
