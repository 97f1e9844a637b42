"""EventBridgePublisher: chunks, partial failures resent entry by entry, nothing counted as sent
that was not."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError

from adapters.aws import clients
from adapters.aws.eventbridge import EventBridgePublisher, PublishFailed
from domain import events as ev


class RejectingEvents:
    """Forwards PutEvents to the real (moto) client, but rejects chosen entries inside a
    successful response, as EventBridge does under throttling or internal errors."""

    def __init__(self, real: Any, reject: dict[str, int]) -> None:
        self.real = real
        self.reject = dict(reject)  # event id -> how many more times to reject it
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
        return {"FailedEntryCount": len(rejected), "Entries": results}


class AcceptingEvents:
    def __init__(self) -> None:
        self.calls: list[list[dict[str, Any]]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "x"} for _ in Entries]}


class FailingAfterFirstCall(AcceptingEvents):
    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        if self.calls:
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "PutEvents"
            )
        return super().put_events(Entries)


@pytest.fixture
def queue(bus: str) -> str:
    """Every event on the bus lands in an SQS queue, so tests see what was really published."""
    sqs, events = clients.client("sqs"), clients.client("events")
    url = sqs.create_queue(QueueName="published")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name="all", EventBusName=bus, EventPattern=json.dumps({"source": ["orderflow.orders"]})
    )
    events.put_targets(Rule="all", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    return url


def received(url: str) -> Counter[str]:
    sqs, seen = clients.client("sqs"), Counter[str]()
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            envelope = json.loads(message["Body"])
            assert envelope["source"] == "orderflow.orders"
            assert envelope["detail-type"] in ev.EVENT_TYPES
            seen[envelope["detail"]["eventId"]] += 1
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return seen


def events_of(orders: int, per_order: int, samples: Any, reason: str = "x") -> list[ev.DomainEvent]:
    return [
        ev.OrderCancelled(order_id=f"o-{o}", version=v, occurred_at=samples.T0, reason=reason)
        for o in range(orders)
        for v in range(1, per_order + 1)
    ]


def publisher(bus: str, client: Any, sleeps: list[float] | None = None) -> EventBridgePublisher:
    return EventBridgePublisher(
        bus, client=client, sleep=(sleeps if sleeps is not None else []).append
    )


def test_only_the_rejected_entries_are_sent_again(bus: str, queue: str, samples: Any) -> None:
    events = events_of(6, 2, samples)  # 12 events: a chunk of 10, then 2
    failing = [events[3].event_id, events[8].event_id]
    client = RejectingEvents(clients.client("events"), {eid: 1 for eid in failing})
    sleeps: list[float] = []
    publisher(bus, client, sleeps).publish(events)
    ids = [e.event_id for e in events]
    assert client.calls == [ids[:10], failing, ids[10:]]
    assert len(sleeps) == 1
    assert received(queue) == Counter({eid: 1 for eid in ids})


def test_an_entry_that_keeps_failing_is_raised_and_its_orders_later_events_held_back(
    bus: str, queue: str, samples: Any
) -> None:
    events = events_of(5, 3, samples)  # o-3 v1 ends the first chunk, v2 and v3 open the next
    client = RejectingEvents(clients.client("events"), {"o-3:1": 99})
    with pytest.raises(PublishFailed) as raised:
        publisher(bus, client).publish(events)
    assert raised.value.event_ids == ("o-3:1", "o-3:2", "o-3:3")
    assert raised.value.errors == {
        "o-3:1": "InternalFailure",
        "o-3:2": "HeldBack",
        "o-3:3": "HeldBack",
    }
    assert "o-3:1 (InternalFailure)" in str(raised.value)
    assert client.calls[1:] == [["o-3:1"], ["o-3:1"], ["o-4:1", "o-4:2", "o-4:3"]]
    assert received(queue) == Counter({e.event_id: 1 for e in events if e.order_id != "o-3"})


def test_a_failed_call_lists_every_event_not_yet_accepted(samples: Any) -> None:
    events = events_of(3, 5, samples)  # 15: the first chunk of 10 is accepted, then a failure
    with pytest.raises(PublishFailed) as raised:
        publisher("bus", FailingAfterFirstCall()).publish(events)
    assert raised.value.event_ids == tuple(e.event_id for e in events[10:])
    assert set(raised.value.errors.values()) == {"ThrottlingException"}
    assert isinstance(raised.value.__cause__, ClientError)


def test_chunks_of_at_most_ten_in_input_order(samples: Any) -> None:
    client = AcceptingEvents()
    events = events_of(5, 5, samples)
    publisher("bus", client).publish(events)
    assert [len(c) for c in client.calls] == [10, 10, 5]
    sent = [json.loads(e["Detail"])["eventId"] for call in client.calls for e in call]
    assert sent == [e.event_id for e in events]


def test_chunks_also_stay_under_256_kib(samples: Any) -> None:
    client = AcceptingEvents()
    publisher("bus", client).publish(events_of(1, 9, samples, reason="r" * 60_000))
    assert [len(c) for c in client.calls] == [4, 4, 1]
    for call in client.calls:
        assert sum(len(e["Detail"].encode()) + 64 for e in call) <= 256 * 1024


def test_entries_carry_source_type_empty_resources_and_the_trace_header(
    samples: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793")
    client = AcceptingEvents()
    event = events_of(1, 1, samples)[0]
    EventBridgePublisher("bus", client=client, source="orderflow.test").publish([event])
    [[entry]] = client.calls
    assert entry["Source"] == "orderflow.test"
    assert entry["DetailType"] == "OrderCancelled"
    assert entry["EventBusName"] == "bus"
    assert entry["Resources"] == []
    assert entry["TraceHeader"] == "Root=1-5759e988-bd862e3fe1be46a994272793"
    assert json.loads(entry["Detail"])["eventId"] == "o-0:1"


def test_nothing_to_publish_makes_no_call() -> None:
    client = AcceptingEvents()
    publisher("bus", client).publish([])
    assert client.calls == []
