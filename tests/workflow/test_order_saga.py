"""The order saga end to end, one test per path: workflows/order_saga.asl.json on moto's ASL
interpreter, the real task handlers behind Lambda invoke, the real Step Functions gateway for
starts and task-token callbacks, in-memory orders and simulated providers (tests/workflow/support).

Each test checks the execution's status, the states it entered, and the order as stored.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from domain.commands import CarrierUpdateKind
from domain.errors import InvalidTransition
from domain.status import OrderStatus
from domain.values import Address, PaymentStatus, ShipmentStatus
from infra.local import moto_patches
from tests.workflow.support import ANTARCTICA, COMPENSATED, FAST_TIMEOUTS, HAPPY_PATH, Saga

HEARTBEATS_KEPT_UP = 2e-6
"""3 days = 0.5 s between heartbeats, 14 days = 2.4 s in all: room for re-sends under load."""
DISPATCHED, DELIVERED, FAILED = (
    CarrierUpdateKind.DISPATCHED,
    CarrierUpdateKind.DELIVERED,
    CarrierUpdateKind.FAILED,
)


def deliver(saga: Saga, order_id: str) -> None:
    saga.waiting_for_carrier(order_id)
    saga.carrier_reports(order_id, DISPATCHED)
    saga.carrier_reports(order_id, DELIVERED)


def assert_order(
    saga: Saga,
    order_id: str,
    status: OrderStatus,
    payment: PaymentStatus,
    shipment: ShipmentStatus | None,
) -> None:
    order = saga.order(order_id)
    assert (order.status, order.payment.status) == (status, payment)
    assert (order.shipment.status if order.shipment else None) == shipment


def test_happy_path_takes_three_transitions(saga: Saga) -> None:
    order_id = saga.place_and_start()
    deliver(saga, order_id)

    assert saga.finish(order_id)["status"] == "SUCCEEDED"
    assert saga.states(order_id) == HAPPY_PATH
    assert_order(
        saga, order_id, OrderStatus.COMPLETED, PaymentStatus.CAPTURED, ShipmentStatus.DELIVERED
    )
    assert len(saga.payments.entries("capture", f"{order_id}:")) == 1
    saga.assert_invariants(order_id)


def test_declined_payment_ends_the_saga_as_a_business_outcome(saga: Saga) -> None:
    order_id = saga.place_and_start(token="tok_decline")

    assert saga.finish(order_id)["status"] == "SUCCEEDED"
    assert saga.states(order_id) == ["AuthorizePayment", "PaymentWasDeclined"]
    assert_order(saga, order_id, OrderStatus.PAYMENT_FAILED, PaymentStatus.DECLINED, None)
    assert saga.order(order_id).reason == "card_declined"


def test_a_payment_provider_hiccup_is_retried(saga: Saga) -> None:
    order_id = saga.place_and_start(token="tok_flaky")
    deliver(saga, order_id)

    assert saga.finish(order_id)["status"] == "SUCCEEDED"
    assert saga.states(order_id) == HAPPY_PATH  # a retry is not a new state
    assert saga.task_errors(order_id) == ["PaymentProviderUnavailable"]
    assert len(saga.payments.entries("authorize", f"{order_id}:")) == 1
    assert_order(
        saga, order_id, OrderStatus.COMPLETED, PaymentStatus.CAPTURED, ShipmentStatus.DELIVERED
    )
    saga.assert_invariants(order_id)


def test_an_unshippable_address_voids_the_payment(saga: Saga) -> None:
    order_id = saga.place_and_start(address=ANTARCTICA)

    execution = saga.finish(order_id)
    assert (execution["status"], execution["error"], execution["cause"]) == (
        "FAILED",
        "OrderFailed",
        "AddressNotServiceable",
    )
    assert saga.states(order_id) == [
        "AuthorizePayment",
        "RequestShipment",
        "VoidPayment",
        "FailOrder",
        "CancelledOrFailed",
        "OrderFailed",
    ]
    assert_order(saga, order_id, OrderStatus.FAILED, PaymentStatus.VOIDED, None)
    assert saga.order(order_id).reason == "the carrier does not deliver to the shipping address"
    saga.assert_invariants(order_id)


def test_a_carrier_that_never_answers_times_out_and_is_compensated(saga: Saga) -> None:
    with moto_patches.scaled_time(FAST_TIMEOUTS):  # 3 days of silence: 0.26 s
        order_id = saga.place_and_start()
        execution = saga.finish(order_id)

    assert (execution["status"], execution["cause"]) == ("FAILED", "States.HeartbeatTimeout")
    assert saga.states(order_id) == [
        "AuthorizePayment",
        "RequestShipment",
        *COMPENSATED,
        "OrderFailed",
    ]
    assert_order(saga, order_id, OrderStatus.FAILED, PaymentStatus.VOIDED, ShipmentStatus.CANCELLED)
    shipment = saga.order(order_id).shipment
    assert shipment is not None and saga.carrier.is_cancelled(shipment.tracking_number)
    saga.assert_invariants(order_id)


def test_heartbeats_do_not_outlive_the_timeout(saga: Saga) -> None:
    """Dispatched, then only re-sent dispatch reports: TimeoutSeconds (14 days) is a hard cap."""
    with moto_patches.scaled_time(HEARTBEATS_KEPT_UP):
        order_id = saga.place_and_start()
        with saga.carrier_keeps_resending_dispatch(order_id):
            execution = saga.finish(order_id)

    assert (execution["status"], execution["cause"]) == ("FAILED", "States.Timeout")
    assert saga.task_errors(order_id) == ["States.Timeout"]  # never a missed heartbeat
    assert saga.states(order_id) == [
        "AuthorizePayment",
        "RequestShipment",
        *COMPENSATED,
        "OrderFailed",
    ]
    # The parcel had left: nothing to call off, the authorization is released.
    assert_order(
        saga, order_id, OrderStatus.FAILED, PaymentStatus.VOIDED, ShipmentStatus.DISPATCHED
    )
    saga.assert_invariants(order_id, compensated=False)


def test_a_failed_delivery_voids_the_payment(saga: Saga) -> None:
    order_id = saga.place_and_start()
    saga.waiting_for_carrier(order_id)
    saga.carrier_reports(order_id, DISPATCHED)
    saga.carrier_reports(order_id, FAILED, reason="parcel damaged")

    execution = saga.finish(order_id)
    assert (execution["status"], execution["cause"]) == ("FAILED", "ShipmentFailed")
    assert saga.states(order_id) == [
        "AuthorizePayment",
        "RequestShipment",
        "VoidPayment",
        "FailOrder",
        "CancelledOrFailed",
        "OrderFailed",
    ]
    assert_order(saga, order_id, OrderStatus.FAILED, PaymentStatus.VOIDED, ShipmentStatus.FAILED)
    saga.assert_invariants(order_id)


def test_a_customer_cancel_before_dispatch_compensates_everything(saga: Saga) -> None:
    order_id = saga.place_and_start()
    saga.waiting_for_carrier(order_id)
    saga.cancel(order_id)

    assert saga.finish(order_id)["status"] == "SUCCEEDED"
    assert saga.states(order_id) == [
        "AuthorizePayment",
        "RequestShipment",
        *COMPENSATED,
        "OrderWasCancelled",
    ]
    assert_order(
        saga, order_id, OrderStatus.CANCELLED, PaymentStatus.VOIDED, ShipmentStatus.CANCELLED
    )
    assert saga.order(order_id).reason == "cancelled by customer"
    saga.assert_invariants(order_id)


def test_a_cancel_that_lost_the_race_with_the_start_is_found_by_authorize(saga: Saga) -> None:
    order_id = saga.place()
    saga.cancel(order_id)  # PLACED -> CANCELLED; the start was already on its way
    saga.workflow.start(order_id, {"orderId": order_id})

    assert saga.finish(order_id)["status"] == "SUCCEEDED"
    assert saga.states(order_id) == [
        "AuthorizePayment",
        "VoidPayment",
        "FailOrder",
        "CancelledOrFailed",
        "OrderWasCancelled",
    ]
    assert_order(saga, order_id, OrderStatus.CANCELLED, PaymentStatus.PENDING, None)
    assert saga.payments.entries("authorize", f"{order_id}:") == []


def test_a_cancel_after_dispatch_is_refused_and_the_order_completes(saga: Saga) -> None:
    order_id = saga.place_and_start()
    saga.waiting_for_carrier(order_id)
    saga.carrier_reports(order_id, DISPATCHED)

    with pytest.raises(InvalidTransition):
        saga.cancel(order_id)
    saga.carrier_reports(order_id, DELIVERED)

    assert saga.finish(order_id)["status"] == "SUCCEEDED"
    assert saga.states(order_id) == HAPPY_PATH
    assert_order(
        saga, order_id, OrderStatus.COMPLETED, PaymentStatus.CAPTURED, ShipmentStatus.DELIVERED
    )
    saga.assert_invariants(order_id)


def test_a_duplicate_start_is_one_execution(saga: Saga) -> None:
    order_id = saga.place_and_start()
    saga.start(order_id)  # the same OrderPlaced delivered twice
    saga.workflow.start(order_id, {"orderId": order_id})  # or the start itself retried
    deliver(saga, order_id)
    saga.finish(order_id)
    saga.workflow.start(order_id, {"orderId": order_id})  # after the end: ExecutionAlreadyExists

    executions = saga.sfn.list_executions(stateMachineArn=saga.deployed.state_machine_arn)
    assert [e["name"] for e in executions["executions"]] == [order_id]
    assert saga.states(order_id) == HAPPY_PATH
    assert len(saga.payments.entries("authorize", f"{order_id}:")) == 1
    saga.assert_invariants(order_id)


def test_a_late_callback_after_the_timeout_changes_nothing(saga: Saga) -> None:
    with moto_patches.scaled_time(FAST_TIMEOUTS):
        order_id = saga.place_and_start()
        saga.finish(order_id)
    token = saga.order(order_id).wait_token
    assert token, "RequestShipment stored no token"
    before = (saga.order(order_id), len(saga.history(order_id)), list(saga.orders.outbox))

    saga.carrier_reports(order_id, DELIVERED)  # the carrier's news, a week late
    saga.workflow.resume(token, {"orderId": order_id, "delivered": True})  # a replayed callback

    order, events, outbox = before
    assert saga.order(order_id).version == order.version
    assert saga.order(order_id).status is OrderStatus.FAILED
    assert len(saga.history(order_id)) == events
    assert saga.orders.outbox == outbox
    assert saga.payments.entries("capture", f"{order_id}:") == []
    assert (
        saga.sfn.describe_execution(executionArn=saga.execution_arn(order_id))["status"] == "FAILED"
    )


def test_a_compensation_that_fails_once_is_retried(saga: Saga) -> None:
    saga.carrier.failing_cancels = 1  # the carrier is down for CancelShipment's first attempt
    order_id = saga.place_and_start()
    saga.waiting_for_carrier(order_id)
    saga.cancel(order_id)

    assert saga.finish(order_id)["status"] == "SUCCEEDED"
    assert saga.states(order_id) == [
        "AuthorizePayment",
        "RequestShipment",
        *COMPENSATED,
        "OrderWasCancelled",
    ]
    assert saga.task_errors(order_id) == ["CancellationRequested", "CarrierUnavailable"]
    assert saga.carrier.cancel_calls == 2
    assert_order(
        saga, order_id, OrderStatus.CANCELLED, PaymentStatus.VOIDED, ShipmentStatus.CANCELLED
    )
    saga.assert_invariants(order_id)


def test_a_compensation_that_keeps_failing_stops_visibly(saga: Saga) -> None:
    saga.carrier.failing_cancels = 1_000  # the carrier stays down
    order_id = saga.place_and_start()
    saga.waiting_for_carrier(order_id)
    saga.cancel(order_id)

    execution = saga.finish(order_id)
    assert (execution["status"], execution["error"], execution["cause"]) == (
        "FAILED",
        "CompensationFailed",
        "CarrierUnavailable",
    )
    assert saga.states(order_id) == [
        "AuthorizePayment",
        "RequestShipment",
        "CancelShipment",
        "CompensationFailed",
    ]
    assert saga.carrier.cancel_calls == 13  # the first attempt and 12 retries
    # Stopped before the void: the parcel may still leave, so the money stays authorized
    # (never captured) until an operator decides.
    assert_order(
        saga, order_id, OrderStatus.CANCELLED, PaymentStatus.AUTHORIZED, ShipmentStatus.REQUESTED
    )
    saga.assert_invariants(order_id, compensated=False)


def test_a_refused_capture_voids_and_fails_the_order(saga: Saga) -> None:
    order_id = saga.place_and_start(token="tok_nocapture")
    deliver(saga, order_id)

    execution = saga.finish(order_id)
    assert (execution["status"], execution["cause"]) == ("FAILED", "PaymentCaptureFailed")
    assert saga.states(order_id) == [
        *HAPPY_PATH,
        "VoidPayment",
        "FailOrder",
        "CancelledOrFailed",
        "OrderFailed",
    ]
    assert_order(saga, order_id, OrderStatus.FAILED, PaymentStatus.VOIDED, ShipmentStatus.DELIVERED)
    saga.assert_invariants(order_id)


def test_a_provider_outage_outlasting_the_retries_stops_for_a_redrive(saga: Saga) -> None:
    order_id = saga.place_and_start(token="tok_unavailable")

    execution = saga.finish(order_id)
    assert (execution["status"], execution["error"]) == ("FAILED", "PaymentProviderUnavailable")
    assert saga.states(order_id) == ["AuthorizePayment"]
    assert saga.task_errors(order_id) == ["PaymentProviderUnavailable"] * 6  # 1 + 5 retries
    assert_order(saga, order_id, OrderStatus.PLACED, PaymentStatus.PENDING, None)


def test_a_bug_is_not_caught(saga: Saga) -> None:
    """No catch-all: an unexpected error fails the execution with its own name."""
    saga.workflow.start("no-such-order", {"orderId": "no-such-order"})

    execution = saga.finish("no-such-order")
    assert (execution["status"], execution["error"]) == ("FAILED", "OrderNotFound")
    assert saga.states("no-such-order") == ["AuthorizePayment"]


@pytest.fixture
def task_logs() -> Iterator[io.StringIO]:
    """What the task handlers log, formatted as in Lambda (JSON lines)."""
    from handlers.common.observability import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    underlying = logging.getLogger(logger.name)
    underlying.addHandler(handler)
    try:
        yield stream
    finally:
        underlying.removeHandler(handler)


def test_task_logs_carry_the_order_id_and_no_personal_data(
    saga: Saga, task_logs: io.StringIO
) -> None:
    someone = Address("Zelda Quixote", "42 Wallaby Way", "Mawson Station", "AQ-7031", "AQ")
    order_id = saga.place_and_start(address=someone, token="tok_visa_4242")
    saga.finish(order_id)

    lines = [json.loads(line) for line in task_logs.getvalue().splitlines()]
    assert {line["function_name"] for line in lines} == {
        "AuthorizePaymentFunction",
        "RequestShipmentFunction",
        "VoidPaymentFunction",
        "FailOrderFunction",
    }
    assert {line["correlation_id"] for line in lines} == {order_id}
    assert any(line.get("error") == "AddressNotServiceable" for line in lines)
    for personal in ("Zelda", "Wallaby", "Mawson", "AQ-7031", "tok_visa"):
        assert personal not in task_logs.getvalue()
