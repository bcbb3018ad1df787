from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import Config
from kiosk.staff import StaffError, add_staff, check_pin
from kiosk.store import Store
from kiosk.timeutil import to_db
from kiosk.wire import FREE_TRIES
from tests.conftest import FakeClock


def test_pins_are_stored_as_scrypt_hashes(store: Store, clock: FakeClock, config: Config) -> None:
    assert add_staff(store, "Mei Chen", "482913", clock()) == "mei-chen"
    (member,) = store.staff()
    assert "482913" not in str(member) and len(member["pin_hash"]) == 64
    assert b"482913" not in b"".join(p.read_bytes() for p in config.data_dir.glob("kiosk.db*"))
    assert check_pin(store, "482913", clock()).staff_id == "mei-chen"
    with pytest.raises(StaffError):
        add_staff(store, "Mei Chen", "12ab", clock())


def test_five_wrong_pins_lock_with_growing_delays_that_survive_a_restart(
    config: Config, clock: FakeClock
) -> None:
    store = Store(config.database_path)
    add_staff(store, "Desk", "2468", clock())
    for _ in range(FREE_TRIES - 1):
        attempt = check_pin(store, "0000", clock())
        assert not attempt.ok and attempt.wait_seconds == 0
    fifth = check_pin(store, "0000", clock())
    assert not fifth.ok and fifth.wait_seconds == 30
    store.close()

    store = Store(config.database_path)  # the kiosk restarts: still locked
    locked = check_pin(store, "2468", clock())
    assert not locked.ok and locked.wait_seconds > 0
    clock.advance(seconds=31)
    sixth = check_pin(store, "9999", clock())
    assert sixth.wait_seconds == 60  # the lock doubles
    clock.advance(seconds=61)
    assert check_pin(store, "2468", clock()).ok  # the right PIN after the wait resets the count
    assert store.lockout() == (0, None)
    store.close()


def test_staff_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    base = ["--data-dir", str(tmp_path / "data")]
    monkeypatch.setattr("sys.stdin", io.StringIO("135790\n"))
    assert main([*base, "staff", "add", "Front Desk", "--pin-stdin"]) == 0
    assert "front-desk can now open staff mode" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert main([*base, "staff", "add", "Other", "--pin-stdin"]) == 2
    assert "4 to 12 digits" in capsys.readouterr().err
    assert main([*base, "staff", "list"]) == 0
    assert capsys.readouterr().out.strip() == "front-desk  Front Desk"


_GUESSER = """
import sys, time
from datetime import datetime
from pathlib import Path
from kiosk.staff import check_pin
from kiosk.store import Store
from kiosk.timeutil import from_db
store = Store(sys.argv[1])
now = from_db(sys.argv[2])
while not Path(sys.argv[3]).exists():  # all start together
    time.sleep(0.001)
for guess in ("0000", "1111", "2222"):
    print(check_pin(store, guess, now).wait_seconds, flush=True)
"""


def test_eight_processes_at_once_get_no_more_than_five_guesses(
    tmp_path: Path, config: Config, clock: FakeClock
) -> None:
    """Each process tries three wrong PINs at the same moment: 24 tries, and before the lockout
    was one write transaction, 24 guesses were checked with no lock."""
    import subprocess
    import sys

    store = Store(config.database_path)
    add_staff(store, "Mei Chen", "7391", clock())
    store.close()
    go = tmp_path / "go"
    guessers = [
        subprocess.Popen(
            [sys.executable, "-c", _GUESSER, str(config.database_path), to_db(clock()), str(go)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    go.touch()
    waits = [int(line) for g in guessers for line in g.communicate(timeout=60)[0].split()]
    assert len(waits) == 24
    # The first four wrong PINs are free; the fifth locks the pad, and everything after waits.
    assert waits.count(0) == FREE_TRIES - 1
    reopened = Store(config.database_path)
    assert reopened.lockout()[0] == FREE_TRIES  # exactly five PINs were ever checked
    reopened.close()
