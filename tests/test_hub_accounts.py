"""Web console accounts on the hub (both databases): argon2id hashes, no short or common
passwords, a lockout that grows and survives a restart, one site per user, and the commands."""

from __future__ import annotations

import io
import json
from pathlib import Path
from threading import Thread

import pytest
from argon2 import PasswordHasher, extract_parameters

from kiosk.cli import main
from kiosk.hub.accounts import AccountError, Accounts, password_problem
from kiosk.hub.database import open_engine
from tests.conftest import FakeClock
from tests.hub_server import hub_rows, hub_service

GOOD = "lantern-tide-at-dusk"


def test_passwords_are_hashed_with_argon2id_and_weak_ones_refused(
    hub_db: str, clock: FakeClock
) -> None:
    service = hub_service(hub_db, clock)
    accounts = Accounts(service.engine, clock)
    user = accounts.add("Mei.Chen", "Harbour", "frontdesk", GOOD)
    assert user.login == "mei.chen"
    (row,) = hub_rows(service, "SELECT password_hash FROM users")
    assert row["password_hash"].startswith("$argon2id$") and GOOD not in row["password_hash"]
    for weak, why in (
        ("short-pass", "12 characters"),
        ("Password2024!", "most common"),
        ("qwertyuiop123", "most common"),
        ("aaaaaaaaaaaaaa", "most common"),
        ("i-am-mei.chen-ok", "login"),
    ):
        assert why in password_problem(weak, "mei.chen", "Harbour")
    with pytest.raises(AccountError, match="most common"):
        accounts.add("ann", "Harbour", "admin", "Password2024!")
    with pytest.raises(AccountError, match="host-id"):
        accounts.add("hosting", "Harbour", "host", GOOD)
    with pytest.raises(AccountError, match="role"):
        accounts.add("boss", "Harbour", "root", GOOD)
    with pytest.raises(AccountError, match="already"):
        accounts.add("MEI.CHEN", "Harbour", "admin", GOOD)
    service.close()


def test_wrong_passwords_lock_with_growing_delays_that_survive_a_restart(
    hub_db: str, clock: FakeClock
) -> None:
    service = hub_service(hub_db, clock)
    accounts = Accounts(service.engine, clock)
    accounts.add("desk", "Harbour", "frontdesk", GOOD)
    assert accounts.check_login("desk", GOOD).user is not None
    checks = [accounts.check_login("desk", "not-the-password-1") for _ in range(5)]
    assert [c.wait_seconds for c in checks] == [0, 0, 0, 0, 30]
    service.close()
    engine = open_engine(hub_db)
    restarted = Accounts(engine, clock)  # a new process: the lock is in the database
    locked = restarted.check_login("desk", GOOD)
    assert not locked.ok and 0 < locked.wait_seconds <= 31
    clock.advance(seconds=31)
    assert restarted.check_login("desk", "still-not-it-99").wait_seconds == 60  # doubled
    clock.advance(seconds=61)
    assert restarted.check_login("desk", GOOD).ok  # and the count starts again
    assert restarted.check_login("nobody", GOOD).user is None
    engine.dispose()


def test_an_unknown_login_costs_a_known_ones_check_but_its_hash_is_made_once(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub's console and its administration pages each have an ``Accounts``, and so has each
    ``kiosk hub user`` command: each made its own argon2 hash for unknown logins (0.15 s)."""
    made: list[str] = []
    real_hash = PasswordHasher.hash

    def counted(hasher: PasswordHasher, password: str | bytes, *, salt: bytes | None = None) -> str:
        made.append(str(password))
        return real_hash(hasher, password, salt=salt)

    monkeypatch.setattr(PasswordHasher, "hash", counted)
    costs = {"time_cost": 1, "memory_cost": 4096, "parallelism": 1}  # no other test's
    service = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    console = Accounts(service.engine, clock, PasswordHasher(**costs))
    admin = Accounts(service.engine, clock, PasswordHasher(**costs))
    assert len(made) == 1
    known = extract_parameters(PasswordHasher(**costs).hash(GOOD))
    for accounts in (console, admin):  # checked with the costs a real password has
        assert extract_parameters(accounts._dummy) == known
        assert accounts.check_login("nobody", GOOD).user is None
    service.close()


def test_parallel_guesses_stop_at_the_lock(tmp_path: Path, clock: FakeClock) -> None:
    """Eight guesses at once: five are checked and counted, the lock stops the other three."""
    service = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    accounts = Accounts(service.engine, clock)
    accounts.add("desk", "Harbour", "frontdesk", GOOD)
    answers: list[int] = []

    def guess(number: int) -> None:
        answers.append(accounts.check_login("desk", f"guess-number-{number}").wait_seconds)

    guesses = [Thread(target=guess, args=(n,)) for n in range(8)]
    for thread in guesses:
        thread.start()
    for thread in guesses:
        thread.join()
    (row,) = hub_rows(service, "SELECT failures, locked_until FROM users")
    assert row["failures"] == 5 and row["locked_until"]
    assert sorted(answers)[:4] == [0, 0, 0, 0] and all(wait > 0 for wait in sorted(answers)[4:])
    service.close()


def test_user_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'hub.db'}"]
    base = ["--data-dir", str(tmp_path / "kiosk"), "hub"]

    def run(*words: str, password: str = "") -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        return main([*base, *words, *db])

    assert (
        run(
            "add-user",
            "Ann",
            "--site",
            "Harbour",
            "--role",
            "admin",
            "--password-stdin",
            password=GOOD,
        )
        == 0
    )
    assert (
        run(
            "add-user",
            "bo",
            "--site",
            "Quay",
            "--role",
            "host",
            "--host-id",
            "h-bo",
            "--password-stdin",
            password="another-fine-passphrase",
        )
        == 0
    )
    assert (
        run(
            "add-user",
            "cy",
            "--site",
            "Quay",
            "--role",
            "privacy",
            "--password-stdin",
            password="welcome2025!!",
        )
        == 2
    )
    assert "most common" in capsys.readouterr().err
    assert run("list-users", "--site", "Quay", "--json") == 0
    assert json.loads(capsys.readouterr().out) == [
        {"login": "bo", "site": "Quay", "role": "host", "host_id": "h-bo"}
    ]
    assert run("reset-password", "ann", "--password-stdin", password="short") == 2
    assert run("reset-password", "ann", "--password-stdin", password="a-new-long-secret") == 0
    assert run("remove-user", "bo") == 0
    assert run("remove-user", "bo") == 2
    capsys.readouterr()
    assert run("list-users") == 0
    assert capsys.readouterr().out.strip() == "ann  Harbour  admin"
