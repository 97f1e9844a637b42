"""Publishing domain events to EventBridge.

PutEvents can reject single entries inside a 200 response. Only the rejected entries are sent
again (a few times, with a short jittered backoff); what still fails is raised, never counted
as sent. Entries go out in input order, at most 10 and 256 KiB per call, and once an event of
an order has failed, that order's later events are held back rather than sent ahead of it.
If the call itself fails (botocore's retries spent), every event not yet accepted is listed.
"""

from __future__ import annotations

import os
import random
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.aws import clients
from adapters.aws.codec import event_to_entry
from domain.events import DomainEvent

MAX_ENTRIES = 10
MAX_REQUEST_BYTES = 256 * 1024
HELD_BACK = "HeldBack"
"""Error code given to events not sent because an earlier event of their order failed."""


class PublishFailed(RuntimeError):
    """Some events were not published; ``event_ids`` lists them in input order."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        """event id -> EventBridge error code (or ``HeldBack``)."""
        self.event_ids = tuple(errors)
        super().__init__(
            f"{len(errors)} event(s) not published: "
            + ", ".join(f"{eid} ({code})" for eid, code in errors.items())
        )


class EventBridgePublisher:
    def __init__(
        self,
        bus_name: str,
        client: Any = None,
        source: str = "orderflow.orders",
        *,
        attempts: int = 3,
        backoff_seconds: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._bus = bus_name
        self._client = client
        self._source = source
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._sleep = sleep

    @property
    def _events(self) -> Any:
        if self._client is None:
            self._client = clients.client("events")
        return self._client

    def publish(self, events: Sequence[DomainEvent]) -> None:
        errors: dict[str, str] = {}
        accepted: set[str] = set()
        failed_orders: set[str] = set()
        trace_header = os.environ.get("_X_AMZN_TRACE_ID")
        try:
            for batch in self._batches(events, failed_orders, errors, trace_header):
                rejected = self._send(batch)
                for event, _ in batch:
                    if event.event_id in rejected:
                        errors[event.event_id] = rejected[event.event_id]
                        failed_orders.add(event.order_id)
                    else:
                        accepted.add(event.event_id)
        except (ClientError, BotoCoreError) as error:  # the call itself failed, retries spent
            code = _error_code(error)
            for event in events:
                if event.event_id not in accepted:
                    errors.setdefault(event.event_id, code)
            raise PublishFailed(_in_order(events, errors)) from error
        if errors:
            raise PublishFailed(_in_order(events, errors))

    def _batches(
        self,
        events: Sequence[DomainEvent],
        failed_orders: set[str],
        errors: dict[str, str],
        trace_header: str | None,
    ) -> Iterator[list[tuple[DomainEvent, dict[str, Any]]]]:
        """Lazily, so that a failure in one batch holds back its order's events in the next."""
        queue = deque(events)
        while queue:
            batch: list[tuple[DomainEvent, dict[str, Any]]] = []
            size = 0
            while queue and len(batch) < MAX_ENTRIES:
                event = queue[0]
                if event.order_id in failed_orders:
                    errors[queue.popleft().event_id] = HELD_BACK
                    continue
                entry = event_to_entry(
                    event, bus_name=self._bus, source=self._source, trace_header=trace_header
                )
                entry_size = _size(entry)
                if batch and size + entry_size > MAX_REQUEST_BYTES:
                    break
                queue.popleft()
                batch.append((event, entry))
                size += entry_size
            if batch:
                yield batch

    def _send(self, batch: list[tuple[DomainEvent, dict[str, Any]]]) -> dict[str, str]:
        """Send, resending only rejected entries; return event id -> code of what failed."""
        pending = batch
        failed: dict[str, str] = {}
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(random.uniform(0, self._backoff * 2**attempt))  # noqa: S311  jitter
            response = self._events.put_events(Entries=[entry for _, entry in pending])
            results = response.get("Entries", [])
            failed = {}
            retry = []
            for i, (event, entry) in enumerate(pending):
                result = results[i] if i < len(results) else {"ErrorCode": "NoResult"}
                if "ErrorCode" in result or "EventId" not in result:
                    failed[event.event_id] = str(result.get("ErrorCode", "NoResult"))
                    retry.append((event, entry))
            if not retry:
                return {}
            pending = retry
        return failed


def _in_order(events: Sequence[DomainEvent], errors: Mapping[str, str]) -> dict[str, str]:
    return {e.event_id: errors[e.event_id] for e in events if e.event_id in errors}


def _error_code(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "ClientError"))
    return type(error).__name__


def _size(entry: Mapping[str, Any]) -> int:
    """PutEvents entry size as AWS counts it (Time 14 bytes, UTF-8 strings)."""
    size = 14 if entry.get("Time") is not None else 0
    for name in ("Source", "DetailType", "Detail"):
        size += len(str(entry.get(name, "")).encode())
    return size + sum(len(r.encode()) for r in entry.get("Resources", ()))
