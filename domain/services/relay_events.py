"""Relay events written to the outbox to the event bus, in the order they were written."""

from __future__ import annotations

from collections.abc import Sequence

from domain.events import DomainEvent
from domain.ports import EventPublisher


def relay_events(events: Sequence[DomainEvent], *, publisher: EventPublisher) -> int:
    ordered = sorted(events, key=lambda e: (e.order_id, e.version))
    publisher.publish(ordered)
    return len(ordered)
