"""A clock for the data plane's services that moves only when a test moves it."""

from __future__ import annotations

import threading
from collections.abc import Callable


class FakeClock:
    """Epoch seconds, as the services' ``clock`` argument expects; ``advance`` moves it and
    tells the listeners (``Sqs.clock_moved``) so long polls look again."""

    def __init__(self, start: float = 1_767_268_800.0) -> None:  # 2026-01-01T12:00:00Z
        self._now = start
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds
        for listener in self._listeners:
            listener()

    def on_advance(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)
