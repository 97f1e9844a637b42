"""Starting workflows from OrderPlaced events buffered in SQS: per-record failures, duplicates."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from domain.status import OrderStatus
from handlers import workflow_starter
from tests.domain.support import World
from tests.handlers.fakes import FakeLambdaContext

Load = Callable[[str], dict[str, Any]]


def batch(load_event: Load, *bodies: str) -> dict[str, Any]:
    """The committed SQS sample, one record per body."""
    template = load_event("sqs_order_placed.json")["Records"][0]
    records = []
    for i, body in enumerate(bodies):
        record = copy.deepcopy(template)
        record.update(messageId=f"msg-{i}", body=body)
        records.append(record)
    return {"Records": records}


def placed(load_event: Load, order_id: str) -> str:
    envelope = json.loads(load_event("sqs_order_placed.json")["Records"][0]["body"])
    envelope["detail"]["orderId"] = order_id
    return json.dumps(envelope)


def run(event: dict[str, Any]) -> dict[str, Any]:
    return workflow_starter.handler(event, FakeLambdaContext())


def test_the_committed_sample_starts_the_workflow_named_by_the_order(
    world: World, load_event: Load, emitted_metrics: Callable[[], dict[str, float]]
) -> None:
    order = world.place(
        customer="7d1c5a0e-4b8f-4e2a-9d3c-2f6e8a1b0c4d", key="5b7e5b2e-8f4a-4c52-9f0e-1f2a3b4c5d6e"
    )  # = the sample's order

    response = run(load_event("sqs_order_placed.json"))

    assert response == {"batchItemFailures": []}
    assert world.workflow.started == {order.order_id: {"orderId": order.order_id}}
    assert emitted_metrics()["WorkflowsStarted"] == 1


def test_duplicates_start_one_execution(world: World, load_event: Load) -> None:
    order_id = world.place().order_id

    responses = [
        run(batch(load_event, placed(load_event, order_id), placed(load_event, order_id)))
        for _ in range(2)
    ]

    assert responses == [{"batchItemFailures": []}] * 2
    assert list(world.workflow.started) == [order_id]


@pytest.mark.parametrize(
    "poison",
    [
        "not json at all",
        json.dumps({"detail-type": "OrderPlaced"}),
        "{}",
    ],
    ids=["unparseable", "no envelope", "empty object"],
)
def test_a_poison_message_fails_alone(world: World, load_event: Load, poison: str) -> None:
    good = [world.place().order_id for _ in range(2)]

    response = run(
        batch(load_event, placed(load_event, good[0]), poison, placed(load_event, good[1]))
    )

    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    assert sorted(world.workflow.started) == sorted(good)


def test_a_message_for_another_event_type_or_bad_id_fails_alone(
    world: World, load_event: Load
) -> None:
    good = world.place().order_id
    wrong_type = json.loads(placed(load_event, good))
    wrong_type["detail-type"] = "OrderCancelled"
    bad_id = placed(load_event, "../../etc/passwd")

    response = run(batch(load_event, json.dumps(wrong_type), bad_id, placed(load_event, good)))

    assert response == {
        "batchItemFailures": [{"itemIdentifier": "msg-0"}, {"itemIdentifier": "msg-1"}]
    }


def test_an_unknown_order_fails_alone_to_be_retried_then_dead_lettered(
    world: World, load_event: Load
) -> None:
    good = world.place().order_id

    response = run(batch(load_event, placed(load_event, "no-such-order"), placed(load_event, good)))

    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
    assert list(world.workflow.started) == [good]


def test_when_every_record_fails_each_is_reported_without_raising(
    world: World, load_event: Load
) -> None:
    """powertools #4691: an all-failed batch must not raise (same retry, cleaner signal)."""
    response = run(batch(load_event, "x", "y"))

    assert response == {
        "batchItemFailures": [{"itemIdentifier": "msg-0"}, {"itemIdentifier": "msg-1"}]
    }


def test_an_order_that_moved_on_is_not_started_again(
    world: World, load_event: Load, emitted_metrics: Any
) -> None:
    cancelled = world.order_in(OrderStatus.CANCELLED).order_id

    response = run(batch(load_event, placed(load_event, cancelled)))

    assert response == {"batchItemFailures": []}
    assert world.workflow.started == {}
    assert "WorkflowsStarted" not in emitted_metrics()


def test_a_workflow_engine_outage_fails_the_record_for_a_retry(
    world: World, load_event: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = world.place().order_id

    def throttled(*_: Any) -> None:
        raise RuntimeError("ThrottlingException")

    monkeypatch.setattr(world.workflow, "start", throttled)

    response = run(batch(load_event, placed(load_event, order_id)))

    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
