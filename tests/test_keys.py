from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.errors import KeyRingError
from kiosk.keys import ENV_KEY, import_public_keys, load_or_create, rotate
from tests.conftest import FakeClock


def test_created_at_first_start_private_and_stable(tmp_path: Path, clock: FakeClock) -> None:
    ring = load_or_create(tmp_path / "keys", clock())
    (private_file,) = (tmp_path / "keys").glob("signing-*.pem")
    assert stat.S_IMODE(private_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert load_or_create(tmp_path / "keys", clock()).current_kid == ring.current_kid


def test_rotation_destroys_the_old_private_key_but_keeps_its_public_key(
    tmp_path: Path, clock: FakeClock
) -> None:
    ring = load_or_create(tmp_path, clock())
    old = ring.current_kid
    new = rotate(ring, tmp_path, clock())
    assert [p.name for p in tmp_path.glob("signing-*.pem")] == [
        f"signing-{new.current_kid.hex()}.pem"
    ]
    exported = new.export()
    assert {k["kid"] for k in exported["keys"]} == {old.hex(), new.current_kid.hex()}
    retired = next(k for k in exported["keys"] if k["kid"] == old.hex())
    assert retired["retired_at"]
    assert old in new.public_keys()


def test_key_from_environment_or_config_file(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    site_key = Ed25519PrivateKey.generate()
    monkeypatch.setenv(ENV_KEY, base64.b64encode(site_key.private_bytes_raw()).decode())
    ring = load_or_create(tmp_path / "a", clock())
    assert (
        ring.private_key.public_key().public_bytes_raw() == site_key.public_key().public_bytes_raw()
    )
    assert not list((tmp_path / "a").glob("signing-*.pem"))  # a supplied key is never copied
    monkeypatch.delenv(ENV_KEY)
    pem = tmp_path / "site.pem"
    pem.write_bytes(
        site_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    assert load_or_create(tmp_path / "b", clock(), pem).current_kid == ring.current_kid
    monkeypatch.setenv(ENV_KEY, "not base64!")
    with pytest.raises(KeyRingError, match=ENV_KEY):
        load_or_create(tmp_path / "c", clock())


def test_import_public_keys_from_another_kiosk(tmp_path: Path, clock: FakeClock) -> None:
    ours = load_or_create(tmp_path / "ours", clock())
    theirs = load_or_create(tmp_path / "theirs", clock())
    exported = json.loads(json.dumps(theirs.export()))
    assert import_public_keys(ours, exported) == 1
    assert import_public_keys(ours, exported) == 0
    assert theirs.current_kid in load_or_create(tmp_path / "ours", clock()).public_keys()


@pytest.mark.parametrize(
    "bad",
    [{}, {"keys": [{"kid": "00"}]}, {"keys": [{"kid": "deadbeef", "public_key": "AAAA"}]}],
)
def test_import_rejects_bad_exports(
    tmp_path: Path, clock: FakeClock, bad: dict[str, object]
) -> None:
    with pytest.raises(KeyRingError):
        import_public_keys(load_or_create(tmp_path, clock()), bad)


def test_import_rejects_a_key_whose_id_does_not_match(tmp_path: Path, clock: FakeClock) -> None:
    other = load_or_create(tmp_path / "other", clock()).export()
    other["keys"][0]["kid"] = "00000000"
    with pytest.raises(KeyRingError, match="does not match"):
        import_public_keys(load_or_create(tmp_path / "ours", clock()), other)


def test_the_signing_key_is_read_without_the_serialization_module(tmp_path: Path) -> None:
    """Reading the PEM by hand saves every command ~8 ms; it must give the very same key, and
    anything but a plain PKCS#8 Ed25519 key still goes through cryptography's reader."""
    import subprocess
    import sys

    from kiosk.keys import _load_pem

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "k.pem").write_bytes(pem)
    raw = serialization.Encoding.Raw
    assert _load_pem(tmp_path / "k.pem").public_key().public_bytes(
        raw, serialization.PublicFormat.Raw
    ) == key.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    locked = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    (tmp_path / "locked.pem").write_bytes(locked)
    with pytest.raises(KeyRingError, match="not a readable PEM private key"):
        _load_pem(tmp_path / "locked.pem")
    probe = (
        "import sys; from kiosk.keys import _load_pem; from pathlib import Path; "
        f"_load_pem(Path({str(tmp_path / 'k.pem')!r})); "
        "print('cryptography.hazmat.primitives.serialization' in sys.modules)"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "False"
