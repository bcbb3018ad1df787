"""The SQLite hub's turns at its write lock: first asked, first served, and a turn given up on
(timed out) never blocks the ones after it."""

from __future__ import annotations

import threading
import time

import pytest

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
