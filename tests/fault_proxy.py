"""A TCP proxy on 127.0.0.1 between a kiosk and the hub that misbehaves on purpose.

It forwards requests untouched. Responses can be dropped (the hub has answered, so it has
committed, but the kiosk never hears it: the connection is cut), held for a while, or the proxy
can refuse connections altogether (the hub is "down"). Decisions come from a seeded generator so
a failing run can be repeated.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
from dataclasses import dataclass, field


@dataclass
class FaultProxy:
    upstream_port: int
    drop_rate: float = 0.0
    drop_first: int = 0  # the first N responses are dropped, whatever the rate
    hold_seconds: float = 0.0
    refuse: bool = False
    seed: int = 7
    responses: int = 0
    dropped: int = 0
    response_seen: threading.Event = field(default_factory=threading.Event)
    _listener: socket.socket = field(init=False)
    _random: random.Random = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closing: bool = False

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def close(self) -> None:
        self._closing = True
        self._listener.close()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.refuse:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, is_response: bool) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if is_response and self._should_drop():
                    break  # the hub answered; the kiosk never hears it
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def _should_drop(self) -> bool:
        with self._lock:
            self.responses += 1
            self.response_seen.set()
            drop = self.responses <= self.drop_first or self._random.random() < self.drop_rate
            self.dropped += drop
        if self.hold_seconds:
            threading.Event().wait(self.hold_seconds)
        return drop
