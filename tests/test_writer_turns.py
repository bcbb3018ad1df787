"""The SQLite hub's turns at its write lock: first asked, first served, and a turn given up on
(timed out) never blocks the ones after it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from kiosk.hub.database import open_engine
from kiosk.hub.writer_turns import WriterTurns, WriterTurnTimeoutError


def _wait_for_tickets(turns: WriterTurns, count: int) -> None:
    deadline = time.monotonic() + 5
    while turns.tickets_given < count:
        assert time.monotonic() < deadline
        time.sleep(0.001)


def test_turns_go_in_the_order_they_were_asked_for_even_if_the_holder_asks_again() -> None:
    turns = WriterTurns()
    turns.acquire()  # the purge's chunk
    served: list[str] = []

    def writer(name: str) -> None:
        turns.acquire()
        served.append(name)
        turns.release()

    threads = []
    for number, name in enumerate(("batch-1", "batch-2", "batch-3"), start=2):
        thread = threading.Thread(target=writer, args=(name,))
        thread.start()
        threads.append(thread)
        _wait_for_tickets(turns, number)
    turns.release()
    turns.acquire()  # the purge's next chunk asks straight away: it goes last
    served.append("next chunk")
    turns.release()
    for thread in threads:
        thread.join()
    assert served == ["batch-1", "batch-2", "batch-3", "next chunk"]


def test_a_turn_given_up_on_does_not_hold_up_the_next() -> None:
    turns = WriterTurns(timeout=0.05)
    turns.acquire()
    with pytest.raises(WriterTurnTimeoutError):
        turns.acquire()  # nobody releases within 50 ms
    later: list[str] = []
    thread = threading.Thread(target=lambda: (turns.acquire(), later.append("served")))
    thread.start()
    _wait_for_tickets(turns, 3)
    turns.release()  # the given-up ticket is skipped, the later one served
    thread.join(5)
    assert later == ["served"]
    turns.release()
    turns.acquire()  # and the turns go on
    turns.release()


def _thrown_away(engine: sa.Engine) -> None:
    with engine.begin() as db:
        db.exec_driver_sql("CREATE TABLE seen (n INTEGER)")
        db.invalidate()  # the connection is discarded mid-transaction


def _failed_statement(engine: sa.Engine) -> None:
    with engine.begin() as db:
        db.exec_driver_sql("INSERT INTO missing VALUES (1)")


def _closed_underneath(engine: sa.Engine) -> None:
    with engine.connect() as db:
        db.exec_driver_sql("SELECT 1")
        raw: Any = db.connection.dbapi_connection
        raw.close()  # closed under SQLAlchemy's feet


@pytest.mark.parametrize(
    ("ending", "error"),
    [
        (_thrown_away, sa.exc.PendingRollbackError),
        (_failed_statement, sa.exc.OperationalError),
        (_closed_underneath, sa.exc.ProgrammingError),
    ],
)
def test_a_transaction_that_ends_badly_gives_its_turn_back(
    tmp_path: Path, ending: Callable[[sa.Engine], None], error: type[Exception]
) -> None:
    """A turn never given back would stop every later write to the hub."""
    engine = open_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    with pytest.raises(error):
        ending(engine)
    wrote: list[int] = []

    def write() -> None:
        with engine.begin() as db:
            db.exec_driver_sql("CREATE TABLE IF NOT EXISTS seen (n INTEGER)")
            db.exec_driver_sql("INSERT INTO seen VALUES (1)")
        wrote.append(1)

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(10)
    engine.dispose()
    assert wrote == [1]


def test_the_next_turn_starts_after_the_commit_not_into_sqlites_polling(tmp_path: Path) -> None:
    """A turn handed on before the holder's COMMIT had finished made the next transaction's
    BEGIN IMMEDIATE find the lock still taken and sleep in SQLite's polling (1 ms, then 2, 5 ...):
    measured, 0.7 s of a 5.6 s purge beside a kiosk, and the kiosk's batches waited as long.
    With no polling allowed at all (busy timeout 0), two writers taking turns never see the
    lock taken."""
    engine = open_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    sa.event.listen(engine, "connect", lambda raw, _record: raw.execute("PRAGMA busy_timeout=0"))
    with engine.begin() as db:
        db.exec_driver_sql("CREATE TABLE seen (writer TEXT, n INTEGER)")
    failures: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for number in range(300):
                with engine.begin() as db:
                    db.exec_driver_sql("INSERT INTO seen VALUES (?, ?)", (name, number))
                if number % 50 == 49:  # and a transaction that rolls back hands on the same way
                    with pytest.raises(sa.exc.OperationalError), engine.begin() as db:
                        db.exec_driver_sql("INSERT INTO missing VALUES (1)")
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("purge", "kiosk")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with engine.connect() as db:
        written = db.exec_driver_sql("SELECT count(*) FROM seen").scalar_one()
    engine.dispose()
    assert failures == []
    assert written == 600
