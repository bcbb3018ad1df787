"""A purge's WAL copied into its SQLite database beside its deletes, not between them (#17).

Both the kiosk's retention purge and the hub's keep their WAL short with passive checkpoints as
they go. Run between two delete transactions, those checkpoints had been a quarter of a purge's
time: the kiosk's, ~105 of ~400 ms at 100,000 visits; the hub's, 54 of them taking 0.81-0.97 s
of 3.7-3.9 s at 1,000,000 (2026-12-03). A checkpoint and a writer run at once in WAL mode, so
while no one waits for the database (no guest checking in, no kiosk sending), the purge hands
the copying to a thread of its own and goes on deleting. SQLite starts the WAL afresh only once
all of it is in the database: the purge copies what the last pass left itself, between two
transactions, and the next one restarts the WAL. While someone is about, the copying stays
between transactions, as their commits meet it already.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

# Passes in a row, each copying what was deleted during the one before. Each syncs the disk
# twice however little it copies, so the rest left to the purge's thread is worth shrinking only
# so far. The kiosk's purge, median visits/s of 12 rounds each at 100,000 and 6 at 1,000,000,
# interleaved (2026-12-03): between transactions 229k and 267k; 1 pass 256k at 100,000; 2
# passes 263k and 325k; 3 passes 302k and 330k. The hub's, 3 passes, ``make bench`` A/B: 295k ->
# 351k at 100,000, 291k -> 358k at 1,000,000.
PASSES = 3


class WalCopier:
    """Runs ``copy`` (a passive checkpoint) on ``worker``, a thread of its own, while the
    purge's transactions go on: PASSES passes, then the rest is the purge's."""

    def __init__(self, copy: Callable[[], object], worker: ThreadPoolExecutor) -> None:
        self._copy, self._worker = copy, worker
        self._copying: Future[object] | None = None
        self._passes = 0

    @property
    def copying(self) -> bool:
        """A copy is under way or done and not yet answered for by ``all_but_the_rest``."""
        return self._copying is not None

    def start(self) -> None:
        """The first pass, beside the transactions that follow."""
        self._passes = 0
        self._copying = self._worker.submit(self._copy)

    def all_but_the_rest(self, another_pass: bool = True) -> bool:
        """After a transaction, while copying: whether the passes are over, the rest being the
        caller's to copy (what was deleted since the last pass began). The next pass starts
        here once the last one is done, unless not ``another_pass`` (the hub's purge, once a
        kiosk sends: it then copies the rest at once)."""
        assert self._copying is not None
        if not self._copying.done():
            return False
        self._copying.result()  # a checkpoint that failed fails the purge
        self._passes += 1
        if another_pass and self._passes < PASSES:
            self._copying = self._worker.submit(self._copy)
            return False
        self._copying = None
        return True

    def finish(self) -> None:
        """Wait for a copy under way (the purge's last checkpoints follow); raise its error."""
        if self._copying is not None:
            copying, self._copying = self._copying, None
            copying.result()
