"""The hub's purge on SQLite, alone: its WAL copied into the database beside its deletes.

Between the purge's chunks, the checkpoints that keep its WAL short had been a quarter of its
time: 1,000,000 visits alone, 54 checkpoints taking 0.81-0.97 s of 3.7-3.9 s (2026-12-03). A
checkpoint and a writer run at once in WAL mode, so alone (no kiosk sending) the purge hands
the copying to a thread of its own and goes on deleting; as SQLite starts the WAL afresh only
once all of it is in the database, the purge copies what the copier's last pass left itself,
between two chunks, and the next chunk restarts the WAL. Beside kiosks' batches the copying
stays between chunks, as before: a batch's commit already meets it there, and the WAL must stay
under the 1,000 pages at which a batch's commit would copy it back itself.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy.engine import Engine

# Passes in a row, each copying what was deleted during the one before, while no kiosk sends.
# Each syncs the disk twice however little it copies, so the rest left to the purge's thread is
# worth shrinking only so far (the kiosk's purge: 1 pass 256k visits/s, 2 263k, 3 302k at
# 100,000 visits, 229k between chunks; ``kiosk.retention.BACKGROUND_PASSES``).
PASSES = 3


class WalCopier:
    """Runs the purge's checkpoints (``checkpoint``, answering the WAL's pages) on ``worker``, a
    thread of their own, while its chunks go on."""

    def __init__(
        self, engine: Engine, checkpoint: Callable[[Engine], int], worker: ThreadPoolExecutor
    ) -> None:
        self._engine, self._checkpoint, self._worker = engine, checkpoint, worker
        self._copying: Future[int] | None = None
        self._passes = 0

    @property
    def copying(self) -> bool:
        """A copy is under way or done and not yet answered for by ``all_but_the_rest``."""
        return self._copying is not None

    def start(self) -> None:
        """The first pass, beside the chunks that follow."""
        self._passes = 0
        self._copying = self._worker.submit(self._checkpoint, self._engine)

    def all_but_the_rest(self, alone: bool) -> bool:
        """After a chunk, while copying: whether the passes are over, the rest being the
        caller's to copy (the chunks since the last pass began). The next pass starts here
        when the last one is done, while ``alone``: beside kiosks the purge copies the rest at
        once."""
        assert self._copying is not None
        if not self._copying.done():
            return False
        self._copying.result()  # a checkpoint that failed fails the purge
        self._passes += 1
        if alone and self._passes < PASSES:
            self._copying = self._worker.submit(self._checkpoint, self._engine)
            return False
        self._copying = None
        return True

    def finish(self) -> None:
        """Wait for a copy under way (the table's last checkpoint follows); raise its error."""
        if self._copying is not None:
            copying, self._copying = self._copying, None
            copying.result()
