"""Local-only subscriptions: an in-process callback for each matching event on a bus, after
the event's transaction commits (the local stack's step log uses it). Not an AWS feature;
nothing is stored, a restart forgets them."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from infra.local.dataplane.events import pattern

Callback = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Subscription:
    id: int
    bus: str
    matches: pattern.Matcher
    callback: Callback
    owner: Subscriptions

    def cancel(self) -> None:
        self.owner.remove(self.id)


class Subscriptions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._active: dict[int, Subscription] = {}

    def add(self, bus: str, pattern_text: str, callback: Callback) -> Subscription:
        subscription = Subscription(
            next(self._ids), bus, pattern.compiled(pattern_text), callback, self
        )
        with self._lock:
            self._active[subscription.id] = subscription
        return subscription

    def remove(self, subscription_id: int) -> None:
        with self._lock:
            self._active.pop(subscription_id, None)

    def matching(self, bus: str, envelope: dict[str, Any]) -> list[Callback]:
        with self._lock:
            active = list(self._active.values())
        return [s.callback for s in active if s.bus == bus and s.matches(envelope)]
