"""The outbox relay: stream INSERTs of outbox items -> the bus, partial failures per record, and
no event published ahead of an earlier one of its order."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.aws.codec import event_to_outbox_item, to_attribute_values
from adapters.aws.eventbridge import EventBridgePublisher
from domain import events as ev
from handlers import outbox_relay
from handlers.event_contracts import SOURCE
from infra.in_memory import in_memory
from tests.domain.support import World
from tests.handlers.fakes import FakeLambdaContext

Load = Callable[[str], dict[str, Any]]
AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class StubEvents:
    """An EventBridge client whose PutEvents rejects the entries ``reject`` picks, in a 200."""

    def __init__(self, reject: Callable[[str, int], bool] = lambda event_id, call: False) -> None:
        self.reject = reject
        self.calls: list[list[str]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        ids = [json.loads(e["Detail"])["eventId"] for e in Entries]
        self.calls.append(ids)
        results = [
            {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}
            if self.reject(i, len(self.calls))
            else {"EventId": f"eb-{i}"}
            for i in ids
        ]
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}

    @property
    def sent(self) -> list[str]:
        return [i for call in self.calls for i in call]


@pytest.fixture
def events_client(world: World) -> Iterator[StubEvents]:
    stub = StubEvents()
    publisher = EventBridgePublisher("orderflow-test-bus", client=stub, sleep=lambda _: None)
    outbox_relay.root.use(in_memory(orders=world.orders, publisher=publisher))
    yield stub


def outbox(order_id: str, version: int) -> ev.DomainEvent:
    if version == 1:
        return ev.OrderPlaced(
            order_id=order_id,
            version=1,
            occurred_at=AT,
            customer_id="c-1",
            lines=(),
            total=_eur("0.00"),
        )
    return ev.OrderCancelled(order_id=order_id, version=version, occurred_at=AT, reason="r")


def _eur(amount: str) -> Any:
    from domain.money import Money

    return Money.of(amount, "EUR")


def stream(load_event: Load, *events: ev.DomainEvent | dict[str, Any]) -> dict[str, Any]:
    """Stream records shaped like the committed sample's outbox record, one per event."""
    template = load_event("dynamodb_outbox_insert.json")["Records"][1]
    records = []
    for n, item in enumerate(events, start=1):
        record = copy.deepcopy(template)
        image = (
            item
            if isinstance(item, dict)
            else to_attribute_values(event_to_outbox_item(item, expires_at=1_800_000_000))
        )
        record["dynamodb"].update(
            NewImage=image, SequenceNumber=f"{n:024d}", Keys={"PK": image["PK"], "SK": image["SK"]}
        )
        records.append(record)
    return {"Records": records}


def run(event: dict[str, Any]) -> list[str]:
    response = outbox_relay.handler(event, FakeLambdaContext())
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


def test_the_committed_sample_relays_the_outbox_item_and_skips_the_order(
    world: World, load_event: Load, emitted_metrics: Callable[[], dict[str, float]]
) -> None:
    assert run(load_event("dynamodb_outbox_insert.json")) == []

    (published,) = world.publisher.published
    assert published.name == "OrderPlaced" and published.version == 1
    assert emitted_metrics()["EventsRelayed"] == 1


def test_only_inserts_of_outbox_items_are_relayed(world: World, load_event: Load) -> None:
    event = stream(load_event, outbox("a", 1), outbox("a", 2), outbox("a", 3))
    event["Records"][1]["eventName"] = "MODIFY"
    event["Records"][2]["eventName"] = "REMOVE"  # the TTL cleaning the outbox
    provider_result = copy.deepcopy(event["Records"][0])  # idempotency records: another table
    provider_result["dynamodb"]["NewImage"] = {
        "PK": {"S": "PROVIDER#payments#pay-1"},
        "SK": {"S": "RESULT"},
    }
    event["Records"].append(provider_result)

    assert run(event) == []
    assert [e.event_id for e in world.publisher.published] == ["a:1"]


def test_entries_carry_the_contract_source_and_detail_type(
    events_client: StubEvents, load_event: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    captured: list[dict[str, Any]] = []
    original = events_client.put_events

    def spy(Entries: list[dict[str, Any]]) -> dict[str, Any]:
        captured.extend(Entries)
        return original(Entries)

    monkeypatch.setattr(events_client, "put_events", spy)

    run(stream(load_event, outbox("a", 1)))

    assert captured[0]["Source"] == SOURCE
    assert captured[0]["DetailType"] == "OrderPlaced"


def test_a_partial_putevents_failure_reports_the_record_and_holds_its_order_back(
    events_client: StubEvents, load_event: Load
) -> None:
    events_client.reject = lambda event_id, call: event_id == "a:2"  # rejected every time

    failed = run(
        stream(
            load_event,
            outbox("a", 1),
            outbox("b", 1),
            outbox("a", 2),
            outbox("b", 2),
            outbox("a", 3),
        )
    )

    assert failed == [f"{3:024d}", f"{5:024d}"]  # a:2, and a:3 behind it
    assert "a:3" not in events_client.sent  # never published ahead of a:2
    assert {"a:1", "b:1", "b:2"} <= set(events_client.sent)


def test_only_rejected_entries_are_resent(events_client: StubEvents, load_event: Load) -> None:
    events_client.reject = lambda event_id, call: event_id == "b:1" and call == 1

    assert run(stream(load_event, outbox("a", 1), outbox("b", 1), outbox("c", 1))) == []
    assert events_client.calls == [["a:1", "b:1", "c:1"], ["b:1"]]


def test_the_retried_batch_publishes_what_failed(
    events_client: StubEvents, load_event: Load
) -> None:
    batch = stream(load_event, outbox("a", 1), outbox("a", 2))
    events_client.reject = lambda event_id, call: event_id == "a:1"
    assert run(batch) == [f"{1:024d}", f"{2:024d}"]

    events_client.reject = lambda event_id, call: False
    assert run(batch) == []
    assert events_client.sent[-2:] == ["a:1", "a:2"]


def test_an_undecodable_record_fails_with_its_orders_later_records(
    world: World, load_event: Load
) -> None:
    broken = to_attribute_values(event_to_outbox_item(outbox("a", 2), expires_at=1))
    del broken["detail"]["M"]["reason"]

    failed = run(stream(load_event, outbox("a", 1), broken, outbox("b", 1), outbox("a", 3)))

    assert failed == [f"{2:024d}", f"{4:024d}"]
    assert [e.event_id for e in world.publisher.published] == ["a:1", "b:1"]


def test_when_publishing_fails_outright_every_outbox_record_is_reported(
    world: World, load_event: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    def throttled(*_: Any) -> None:
        raise RuntimeError("ThrottlingException")

    monkeypatch.setattr(world.publisher, "publish", throttled)
    event = stream(load_event, outbox("a", 1), outbox("b", 1))
    event["Records"].insert(0, load_event("dynamodb_outbox_insert.json")["Records"][0])

    assert run(event) == [f"{1:024d}", f"{2:024d}"]  # not the order item's record
