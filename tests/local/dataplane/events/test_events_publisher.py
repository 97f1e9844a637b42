"""The project's own publisher (adapters/aws/eventbridge.py) against this EventBridge: chunks
of at most 10 entries and 256 KiB that the service accepts whole, only the rejected entries
sent again, and the service's own per-entry refusals surfacing as PublishFailed."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from events_world import BUS, World

from adapters.aws.eventbridge import EventBridgePublisher, PublishFailed
from domain import events as ev

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class Recording:
    """Forwards PutEvents to the served client; rejects chosen entries a number of times
    inside a successful answer, as EventBridge does under throttling."""

    def __init__(self, real: Any, reject: dict[str, int] | None = None) -> None:
        self.real, self.reject = real, dict(reject or {})
        self.calls: list[list[str]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        ids = [json.loads(e["Detail"])["eventId"] for e in Entries]
        self.calls.append(ids)
        rejected = {i for i in ids if self.reject.get(i, 0) > 0}
        for i in rejected:
            self.reject[i] -= 1
        forward = [e for e, i in zip(Entries, ids, strict=True) if i not in rejected]
        accepted = iter(self.real.put_events(Entries=forward)["Entries"] if forward else [])
        results = [
            {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}
            if i in rejected
            else next(accepted)
            for i in ids
        ]
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


def cancelled(orders: int, reason: str = "x") -> list[ev.DomainEvent]:
    return [
        ev.OrderCancelled(order_id=f"o-{o}", version=1, occurred_at=T0, reason=reason)
        for o in range(orders)
    ]


def captured(world: World) -> str:
    world.bus()
    url, arn = world.queue("published")
    world.rule("all", {"source": ["orderflow.orders"]}, {"Id": "q", "Arn": arn})
    return url


def received(world: World, url: str) -> Counter[str]:
    return Counter(body["detail"]["eventId"] for body in world.bodies(url))


def test_events_go_out_in_chunks_of_ten_and_arrive_once(world: World) -> None:
    url = captured(world)
    events = cancelled(23)
    client = Recording(world.events)
    EventBridgePublisher(BUS, client=client, sleep=lambda _: None).publish(events)
    assert [len(call) for call in client.calls] == [10, 10, 3]
    assert received(world, url) == Counter({e.event_id: 1 for e in events})


def test_only_rejected_entries_are_sent_again(world: World) -> None:
    url = captured(world)
    events = cancelled(12)
    failing = [events[3].event_id, events[8].event_id]
    client = Recording(world.events, {eid: 1 for eid in failing})
    EventBridgePublisher(BUS, client=client, sleep=lambda _: None).publish(events)
    ids = [e.event_id for e in events]
    assert client.calls == [ids[:10], failing, ids[10:]]
    assert received(world, url) == Counter({e.event_id: 1 for e in events})


def test_large_events_are_chunked_by_size_and_accepted(world: World) -> None:
    url = captured(world)
    events = cancelled(3, reason="r" * 100_000)
    client = Recording(world.events)
    EventBridgePublisher(BUS, client=client, sleep=lambda _: None).publish(events)
    assert [len(call) for call in client.calls] == [2, 1]
    assert len(received(world, url)) == 3


def test_the_services_refusals_raise_publish_failed(world: World) -> None:
    events = cancelled(2)  # no bus named BUS was created
    client = Recording(world.events)
    with pytest.raises(PublishFailed) as failed:
        EventBridgePublisher(BUS, client=client, attempts=2, sleep=lambda _: None).publish(events)
    assert failed.value.errors == {e.event_id: "ResourceNotFoundException" for e in events}
    assert len(client.calls) == 2
