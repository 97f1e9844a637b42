"""Fakes that record what the domain asked of the event bus and the workflow engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.events import DomainEvent
from domain.ports import WorkflowRun


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


@dataclass
class RecordingRuns:
    """``WorkflowRuns`` over what a ``RecordingWorkflow`` was asked to start: each start is a
    run that stays RUNNING; tests close runs with ``close`` and read what the reconciler did."""

    workflow: Any
    """The app's workflow: a ``RecordingWorkflow``; another kind starts no run seen here."""
    closed: dict[str, WorkflowRun] = field(default_factory=dict)
    redriven: list[str] = field(default_factory=list)
    restarted: list[tuple[str, int]] = field(default_factory=list)

    def close(self, order_id: str, status: str, *, redrivable: bool = True) -> None:
        self.closed[order_id] = WorkflowRun(order_id, status, redrivable, 0)

    @property
    def _started(self) -> Mapping[str, Any]:
        return getattr(self.workflow, "started", {})

    def running(self) -> set[str]:
        return set(self._started) - set(self.closed)

    def latest(self, order_id: str) -> WorkflowRun | None:
        if order_id in self.closed:
            return self.closed[order_id]
        if order_id in self._started:
            return WorkflowRun(order_id, "RUNNING", False, 0)
        return None

    def redrive(self, run: WorkflowRun) -> None:
        self.redriven.append(run.name)
        self.closed.pop(run.name, None)

    def restart(self, order_id: str, attempt: int) -> None:
        self.restarted.append((order_id, attempt))
        self.closed.pop(order_id, None)


@dataclass
class RecordingForwarder:
    """The webhook endpoint's bus, in memory: what was put on it, in order."""

    entries: list[tuple[str, str, str]] = field(default_factory=list)

    def put(self, source: str, detail_type: str, detail: str) -> str:
        self.entries.append((source, detail_type, detail))
        return f"entry-{len(self.entries)}"
