"""Fakes that record what the domain asked of the event bus and the workflow engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.events import DomainEvent


@dataclass
class RecordingPublisher:
    published: list[DomainEvent] = field(default_factory=list)

    def publish(self, events: Sequence[DomainEvent]) -> None:
        self.published.extend(events)


@dataclass
class RecordingWorkflow:
    started: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    signals: list[tuple[str, str, Any]] = field(default_factory=list)
    """(kind, token, detail) for every resume, fail and heartbeat, in order."""

    def start(self, order_id: str, payload: Mapping[str, Any]) -> None:
        self.started.setdefault(order_id, payload)  # the same name twice: one execution

    def resume(self, token: str, output: Mapping[str, Any]) -> None:
        self.signals.append(("resume", token, dict(output)))

    def fail(self, token: str, error: str, cause: str) -> None:
        self.signals.append(("fail", token, error))

    def heartbeat(self, token: str) -> None:
        self.signals.append(("heartbeat", token, None))
