"""Long polls wait here, without polling: a per-queue generation counter and condition.

A receiver notes the generation, looks for messages, and if there are none waits until the
generation moves (a send committed, a message was made visible, a message was dead-lettered
into this queue) or its own deadline passes (its wait time, or the moment the next hidden or
delayed message becomes visible). Noting the generation before looking closes the race with
a send that commits between the look and the wait.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

MAX_WAIT_SLICE = 5.0
"""A wait never sleeps longer than this: a wall clock that jumps is noticed within it."""


class Waiters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generations: dict[int, int] = {}
        self._conditions: dict[int, threading.Condition] = {}

    def generation(self, queue_id: int) -> int:
        with self._lock:
            return self._generations.get(queue_id, 0)

    def wait(self, queue_id: int, seen: int, timeout: float) -> None:
        """Return once the queue's generation differs from ``seen``, or after ``timeout``."""
        timeout = min(max(timeout, 0.0), MAX_WAIT_SLICE)
        with self._lock:
            self._generations.setdefault(queue_id, 0)
            condition = self._conditions.setdefault(queue_id, threading.Condition(self._lock))
            condition.wait_for(lambda: self._generations.get(queue_id, 0) != seen, timeout)

    def notify(self, queue_ids: Iterable[int]) -> None:
        with self._lock:
            for queue_id in queue_ids:
                self._bump(queue_id)

    def notify_everyone(self) -> None:
        """The clock moved, or in-flight messages were released: every waiter looks again."""
        with self._lock:
            for queue_id in list(self._generations):
                self._bump(queue_id)

    def forget(self, queue_id: int) -> None:
        """A deleted queue: wake its waiters (they find it gone). Its counter stays (queue
        ids are never reused), so a waiter that noted it still sees it move."""
        with self._lock:
            self._bump(queue_id)
            self._conditions.pop(queue_id, None)

    def _bump(self, queue_id: int) -> None:
        self._generations[queue_id] = self._generations.get(queue_id, 0) + 1
        condition = self._conditions.get(queue_id)
        if condition is not None:
            condition.notify_all()
