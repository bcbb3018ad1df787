from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.tokens import Verdict


def run(tmp_path: Path, *args: str) -> int:
    return main(["--data-dir", str(tmp_path / "data"), *args])


def check_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    code = run(
        tmp_path,
        "checkin",
        "--name",
        "Vera Verify",
        "--email",
        "v@example.com",
        "--purpose",
        "meeting",
        "--accept-notice",
        "--json",
    )
    assert code == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_verify_token_then_checkout_revokes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    visit = check_in(tmp_path, capsys)
    token = visit["badge_token"]
    assert run(tmp_path, "verify", token) == 0
    assert capsys.readouterr().out.startswith("valid (visit " + visit["visit_id"])
    assert run(tmp_path, "checkout", token) == 0
    assert visit["visit_id"] in capsys.readouterr().out
    assert run(tmp_path, "verify", token, "--json") == Verdict.REVOKED.exit_code
    assert json.loads(capsys.readouterr().out)["result"] == "revoked"
    assert run(tmp_path, "checkout", token) == 2
    assert "already checked out" in capsys.readouterr().err


def test_verify_results_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = check_in(tmp_path, capsys)["badge_token"]
    assert run(tmp_path, "verify", token, "--now", "2099-01-01T00:00") == Verdict.EXPIRED.exit_code
    assert capsys.readouterr().out.startswith("expired")
    assert run(tmp_path, "verify", token, "--now", "2001-01-01") == Verdict.NOT_YET_VALID.exit_code
    capsys.readouterr()
    for command in (["verify", token], ["checkout", "--auto"]):
        assert run(tmp_path, *command, "--now", "next tuesday") == 2
        assert "--now 'next tuesday': use ISO-8601, e.g." in capsys.readouterr().err
    assert run(tmp_path, "verify", "LKB1:" + "A" * 2_000_000) == Verdict.MALFORMED.exit_code
    assert run(tmp_path, "verify", "hello") == Verdict.MALFORMED.exit_code
    other = tmp_path / "other"
    assert main(["--data-dir", str(other), "verify", token]) == Verdict.UNKNOWN_KEY.exit_code
    capsys.readouterr()
    site = tmp_path / "site.toml"
    site.write_text('[site]\nname = "Another Tower"\n')
    code = main(["--config", str(site), "--data-dir", str(tmp_path / "data"), "verify", token])
    assert code == Verdict.WRONG_SITE.exit_code


def test_verify_image_decodes_png_and_pdf_badges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.badges import BadgeTokens
    from kiosk.config import load_config
    from kiosk.keys import load_or_create
    from kiosk.store import Store
    from kiosk.timeutil import utc_now
    from printers.file import FilePrinter
    from printers.labels import label
    from printers.layout import render_badge

    visit_id = check_in(tmp_path, capsys)["visit_id"]
    config = load_config(data_dir=tmp_path / "data", env={})
    store = Store(config.database_path)
    visit = store.visit(visit_id)
    assert visit is not None
    tokens = BadgeTokens(load_or_create(config.keys_dir, utc_now()), config, store)
    content = tokens.content(visit, "Host")
    image = render_badge(content, label("dk-11202"))
    png, pdf = FilePrinter(tmp_path / "out").print(content, label("dk-11202"), visit.id).files
    store.close()
    for badge in (png, pdf):
        assert run(tmp_path, "verify", "--image", str(badge)) == 0
        assert capsys.readouterr().out.startswith("valid")
    blank = tmp_path / "blank.png"
    image.crop((0, 0, 50, 50)).save(blank)
    assert run(tmp_path, "verify", "--image", str(blank)) == Verdict.MALFORMED.exit_code
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 nonsense")
    assert run(tmp_path, "verify", "--image", str(junk)) == 2
    assert "not a readable PDF" in capsys.readouterr().err
    assert run(tmp_path, "verify", "--image", str(tmp_path / "missing.png")) == 2


def test_keys_export_rotate_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, "keys", "export") == 0
    first = json.loads(capsys.readouterr().out)
    assert first["site"] == "Demo Tower" and len(first["keys"]) == 1
    assert run(tmp_path, "keys", "rotate") == 0
    assert "older badges stay verifiable" in capsys.readouterr().out
    assert run(tmp_path, "keys", "export") == 0
    second = json.loads(capsys.readouterr().out)
    assert second["current"] != first["current"] and len(second["keys"]) == 2
    export_file = tmp_path / "export.json"
    export_file.write_text(json.dumps(second))
    assert main(["--data-dir", str(tmp_path / "b"), "keys", "import", str(export_file)]) == 0
    assert "imported 2" in capsys.readouterr().out
    export_file.write_text("{not json")
    assert main(["--data-dir", str(tmp_path / "b"), "keys", "import", str(export_file)]) == 2


def test_auto_checkout_from_cron(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_in(tmp_path, capsys)
    assert run(tmp_path, "checkout", "--auto", "--now", "2099-01-01T00:00") == 0
    assert "checked out 1 visit" in capsys.readouterr().out
    assert run(tmp_path, "visits", "--on-site", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []
