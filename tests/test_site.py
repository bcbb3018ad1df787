"""One composition root: with a site signing key, every command signs with it and nothing else.

Two kiosks share only ``[badge] signing_key_file``. A badge issued at check-in, a reprint and the
visitor's emailed copy made at lobby-1 all verify at lobby-2, and neither kiosk grows a key file
of its own (the reprint and notify commands once built their own ring and signed with a stray
local key that the site's other kiosks rejected).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.cli import main
from kiosk.config import load_config
from kiosk.qrdecode import decode_file, decode_image
from kiosk.site import Site
from kiosk.tokens import short_code
from tests.conftest import make_form
from tests.receivers import SmtpServer

VISITOR = "visitor@example.org"


def _site_key(path: Path) -> Path:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    return path


def _kiosk(tmp_path: Path, kiosk_id: str, key: Path, smtp_port: int) -> list[str]:
    config = tmp_path / f"{kiosk_id}.toml"
    config.write_text(
        f"""
[site]
kiosk_id = "{kiosk_id}"
[badge]
signing_key_file = "{key}"
[notify]
email_url = "mailto://127.0.0.1:{smtp_port}?from=kiosk@example.com"
visitor_copy = true
""",
        encoding="utf-8",
    )
    return ["--config", str(config), "--data-dir", str(tmp_path / kiosk_id)]


def _verifies_at(kiosk: list[str], token: str, capsys: pytest.CaptureFixture[str]) -> bool:
    capsys.readouterr()
    code = main([*kiosk, "verify", token, "--json"])
    return code == 0 and json.loads(capsys.readouterr().out)["result"] == "valid"


def test_the_site_key_signs_check_in_reprint_and_copy_and_no_other_key_appears(
    tmp_path: Path, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from io import BytesIO

    from PIL import Image

    key = _site_key(tmp_path / "site-badge-key.pem")
    lobby_1 = _kiosk(tmp_path, "lobby-1", key, smtp.port)
    lobby_2 = _kiosk(tmp_path, "lobby-2", key, smtp.port)

    checkin = ["checkin", "--name", "Ann Example", "--email", VISITOR, "--purpose", "meeting"]
    assert main([*lobby_1, *checkin, "--accept-notice", "--json"]) == 0
    issued = json.loads(capsys.readouterr().out)
    assert _verifies_at(lobby_2, issued["badge_token"], capsys)

    assert main([*lobby_1, "reprint", short_code(issued["visit_id"])]) == 0
    (reprinted,) = (tmp_path / "lobby-1" / "spool").glob("badge-*.png")
    (reprint_token,) = decode_file(reprinted)
    assert _verifies_at(lobby_2, reprint_token, capsys)

    config = load_config(tmp_path / "lobby-1.toml", tmp_path / "lobby-1")
    with Site.open(config) as site:  # a guest who ticked "Email me a copy"
        notice = site.checkin.current_notice("en")
        form = make_form(name="Bo Copy", email=VISITOR, host_id=config.hosts[0].id)
        site.checkin.check_in(form, notice, print_badge=False, visitor_copy=True)
    assert main([*lobby_1, "notify"]) == 0
    (mail,) = [m for m in smtp.mailbox.messages if m["To"] and VISITOR in m["To"]]
    (attachment,) = [p for p in mail.walk() if p.get_filename()]
    picture = Image.open(BytesIO(attachment.get_payload(decode=True)))
    (copy_token,) = decode_image(picture)
    assert _verifies_at(lobby_2, copy_token, capsys)

    for kiosk_id in ("lobby-1", "lobby-2"):
        assert list((tmp_path / kiosk_id / "keys").glob("signing-*.pem")) == []
