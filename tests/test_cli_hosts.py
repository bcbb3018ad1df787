from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main
from tests.receivers import Hook, http_receiver


def run(tmp_path: Path, *args: str) -> int:
    return main(["--data-dir", str(tmp_path / "data"), *args])


def test_import_list_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "hosts.csv"
    csv.write_bytes("\ufeffid,name,department\nh-1,吳美華 Mei Wu,Legal\nh-2,Bo Li,\n".encode())
    assert run(tmp_path, "hosts", "import", str(csv)) == 0
    assert capsys.readouterr().out.strip() == "added 2, updated 0, rejected 0"
    assert run(tmp_path, "hosts", "list", "--json") == 0
    assert [h["id"] for h in json.loads(capsys.readouterr().out)] == ["h-2", "h-1"]
    assert run(tmp_path, "hosts", "export") == 0
    assert "h-1,吳美華 Mei Wu,Legal" in capsys.readouterr().out


def test_bad_rows_are_reported_and_nothing_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "hosts.csv"
    csv.write_text("id,name,language\nh-1,Good,\nh 2,Bad Id,\nh-3,Bad Lang,xx\n")
    assert run(tmp_path, "hosts", "import", str(csv)) == 2
    err = capsys.readouterr().err
    assert "line 3: rejected: id must be" in err and "line 4: rejected: language" in err
    assert "nothing imported: 2 rows need fixing" in err
    csv.write_bytes("id,name\nh-1,\xff\n".encode("latin-1"))
    assert run(tmp_path, "hosts", "import", str(csv)) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_outbox_and_notify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    receiver = http_receiver()
    port, hook = next(receiver)
    try:
        _deliver_through_cli(tmp_path, capsys, port, hook)
    finally:
        receiver.close()


def _deliver_through_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], port: int, hook: Hook
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[[hosts]]\nid = "h-1"\nname = "Hana"\nnotify = ["json://127.0.0.1:{port}/in"]\n'
    )
    base = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
    assert (
        main(
            [
                *base,
                "checkin",
                "--name",
                "Otto",
                "--email",
                "o@example.com",
                "--purpose",
                "meeting",
                "--accept-notice",
            ]
        )
        == 0
    )
    assert main([*base, "outbox"]) == 0
    out = capsys.readouterr().out
    assert "notify" in out and "not tried yet" in out
    assert main([*base, "notify"]) == 0
    assert "sent 1" in capsys.readouterr().out
    assert len(hook.requests) == 1
    assert main([*base, "outbox", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
