"""The compensation task handlers as the local stack runs them: several functions in one process,
through the in-process Lambda runtime, with in-memory ports behind the real composition root."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.ids import SequentialIds
from domain.status import OrderStatus
from handlers.common.observability import metrics
from handlers.tasks.fail_order import FailOrderInput
from infra.local import lambda_runtime
from tests.domain.support import World
from tests.support.wiring import use_app, use_world

ENVIRONMENT = {"POWERTOOLS_SERVICE_NAME": "orderflow", "POWERTOOLS_METRICS_NAMESPACE": "OrderFlow"}
COMPENSATIONS = ("CancelShipment", "VoidPayment", "FailOrder")
MODULES = {
    "CancelShipment": "cancel_shipment",
    "VoidPayment": "void_payment",
    "FailOrder": "fail_order",
}


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setattr(metrics, "namespace", "OrderFlow")  # Metrics may predate the env
    w = World(ids=SequentialIds("task"))
    use_world(w)
    yield w
    use_app(None)


def run(step: str, event: dict[str, Any]) -> dict[str, Any]:
    """Invoke the step's function as the local stack does (lambda_runtime, its environment)."""
    spec = lambda_runtime.FunctionSpec(
        name=f"{step}Function",
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:{step}Function",
        handler=f"handlers.tasks.{MODULES[step]}.handler",
        environment=ENVIRONMENT,
    )
    result = lambda_runtime.invoke(spec, json.dumps(event))
    answer: dict[str, Any] = json.loads(result.payload)
    assert result.function_error is None, answer
    return answer


def shipped_order(world: World) -> str:
    order = world.place()
    world.authorize(order.order_id)
    world.ship(order.order_id)
    return order.order_id


@pytest.mark.parametrize(
    "caught",
    [
        {"Error": "ShipmentFailed", "Cause": None},  # SendTaskFailure without a cause
        {"Error": "ShipmentFailed"},
        {"Error": "ShipmentFailed", "Cause": "the parcel fell off the truck"},
    ],
    ids=["null cause", "no cause", "cause"],
)
def test_fail_order_takes_a_catch_output_with_or_without_a_cause(
    world: World, caught: dict[str, Any]
) -> None:
    order_id = world.place().order_id
    answer = run("FailOrder", {"orderId": order_id, "error": caught})

    assert answer == {"orderId": order_id, "status": OrderStatus.FAILED.value}
    assert world.orders.get(order_id).reason == "the carrier could not deliver the parcel"


def test_the_input_model_reads_a_null_cause_as_none() -> None:
    task = FailOrderInput.model_validate(
        {"orderId": "o-1", "error": {"Error": "States.Timeout", "Cause": None}}
    )
    assert (task.error.error, task.error.cause) == ("States.Timeout", None)


@pytest.mark.parametrize("disabled", ["true", "false"], ids=["metrics off", "metrics on"])
def test_compensations_in_one_process_never_overwrite_a_dimension(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    disabled: str,
) -> None:
    """The local stack runs every task in one process, metrics off unless --handler-logs."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", disabled)
    orders = [shipped_order(world) for _ in range(2)]
    capsys.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for order_id in orders:
            run("CancelShipment", {"orderId": order_id})
            run("VoidPayment", {"orderId": order_id})
            run("FailOrder", {"orderId": order_id, "error": {"Error": "ShipmentFailed"}})

    overwritten = [str(w.message) for w in caught if "has already been added" in str(w.message)]
    assert overwritten == []
    assert {world.orders.get(o).status for o in orders} == {OrderStatus.FAILED}
    printed = capsys.readouterr().out.splitlines()
    emitted = [json.loads(line) for line in printed if '"_aws"' in line]
    runs = [blob["Compensation"] for blob in emitted if "CompensationsRun" in blob]
    assert runs == ([] if disabled == "true" else list(COMPENSATIONS) * 2)
    assert all(blob.get("service") == "orderflow" for blob in emitted)


def emitted(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Names of the metrics printed (EMF) since the last read."""
    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    return [m["Name"] for b in blobs for d in b["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]]


def invoke(step: str, module: str, event: dict[str, Any]) -> lambda_runtime.Invocation:
    spec = lambda_runtime.FunctionSpec(
        name=f"{step}Function",
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:{step}Function",
        handler=f"handlers.tasks.{module}.handler",
        environment=ENVIRONMENT,
    )
    return lambda_runtime.invoke(spec, json.dumps(event))


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")


def test_a_decline_is_an_outcome_not_a_task_error(
    world: World, metrics_on: None, capsys: pytest.CaptureFixture[str]
) -> None:
    order_id = world.place(token="tok_decline").order_id
    capsys.readouterr()
    result = invoke("AuthorizePayment", "authorize_payment", {"orderId": order_id})
    assert json.loads(result.payload)["errorType"] == "PaymentDeclined"
    assert emitted(capsys) == ["PaymentsDeclined"]


def test_a_bug_in_a_task_is_counted_as_a_task_error(
    world: World, metrics_on: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """The SagaTaskErrorsAlarm's metric: an error the state neither retries nor catches."""
    capsys.readouterr()
    result = invoke("AuthorizePayment", "authorize_payment", {"orderId": "no-such-order"})
    assert json.loads(result.payload)["errorType"] == "OrderNotFound"
    assert emitted(capsys) == ["TaskErrors"]


def test_a_silent_carrier_counts_an_order_needing_attention(
    world: World, metrics_on: None, capsys: pytest.CaptureFixture[str]
) -> None:
    order = world.order_in(OrderStatus.SHIPPED)
    capsys.readouterr()
    event = {"orderId": order.order_id, "taskToken": "token-ask"}
    assert invoke("AskOperator", "ask_operator", event).function_error is None
    assert emitted(capsys) == ["OrdersNeedingAttention"]
    assert world.orders.get(order.order_id).status is OrderStatus.NEEDS_ATTENTION


def test_goods_delivered_before_a_refused_capture_count_as_delivered_unpaid(
    world: World, metrics_on: None, capsys: pytest.CaptureFixture[str]
) -> None:
    order = world.order_in(OrderStatus.SHIPMENT_REQUESTED, token="tok_nocapture")
    world.delivered(order.order_id)  # the carrier went ahead of our capture
    capsys.readouterr()
    event = {"orderId": order.order_id, "taskToken": "token-capture"}
    result = invoke("CapturePayment", "capture_payment", event)
    assert json.loads(result.payload)["errorType"] == "PaymentCaptureFailed"
    assert emitted(capsys) == ["DeliveredUnpaid"]
