"""The order saga end to end, one test per path: workflows/order_saga.asl.json on moto's ASL
interpreter, the real task handlers behind Lambda invoke, the real Step Functions gateway for
starts and task-token callbacks, in-memory orders and simulated providers (tests/workflow/support).

Each test checks the execution's status, the states it entered, the order as stored and the
money invariants (``Saga.assert_invariants``). Compensated business failures end SUCCEEDED with
the order FAILED and a reason; FAILED executions are bugs, outages and CompensationFailed.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from domain.attention import operator_action
from domain.commands import CarrierUpdateKind
from domain.errors import InvalidTransition
from domain.status import OrderStatus
from domain.values import Address, PaymentStatus, ShipmentStatus
from infra.local import moto_patches
from tests.workflow.support import ANTARCTICA, COMPENSATED, FAST_TIMEOUTS, HAPPY_PATH, Saga

DISPATCHED, DELIVERED, FAILED = (
    CarrierUpdateKind.DISPATCHED,
    CarrierUpdateKind.DELIVERED,
    CarrierUpdateKind.FAILED,
)
BEFORE_DISPATCH = ["AuthorizePayment", "RequestShipment"]
AFTER_DISPATCH = ["AuthorizePayment", "RequestShipment", "CapturePayment"]


def dispatch(saga: Saga, order_id: str) -> str:
    """The carrier comes for the parcel; returns the token CapturePayment then waits on."""
    booked = saga.waiting_for_carrier(order_id)
    saga.carrier_reports(order_id, DISPATCHED)
    return saga.waiting_for_carrier(order_id, after=booked)


def deliver(saga: Saga, order_id: str) -> None:
    dispatch(saga, order_id)
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


def succeeded(saga: Saga, order_id: str) -> None:
    execution = saga.finish(order_id)
    assert execution["status"] == "SUCCEEDED", execution


# ----- the happy path -------------------------------------------------------------------
def test_happy_path_takes_four_transitions_and_captures_before_the_parcel_leaves(
    saga: Saga,
) -> None:
    order_id = saga.place_and_start()
    deliver(saga, order_id)

    succeeded(saga, order_id)
    assert saga.states(order_id) == HAPPY_PATH
    assert len(HAPPY_PATH) == 4  # $0.10 per 1,000 orders at $0.025 per 1,000 transitions
    assert_order(
        saga, order_id, OrderStatus.COMPLETED, PaymentStatus.CAPTURED, ShipmentStatus.DELIVERED
    )
    events = [e.name for e in saga.orders.outbox if e.order_id == order_id]
    assert events.index("PaymentCaptured") < events.index("ShipmentDelivered")
    assert len(saga.payments.entries("capture", f"{order_id}:")) == 1
    saga.assert_invariants(order_id)


def test_declined_payment_ends_the_saga_as_a_business_outcome(saga: Saga) -> None:
    order_id = saga.place_and_start(token="tok_decline")

    succeeded(saga, order_id)
    assert saga.states(order_id) == ["AuthorizePayment", "PaymentWasDeclined"]
    assert_order(saga, order_id, OrderStatus.PAYMENT_FAILED, PaymentStatus.DECLINED, None)
    assert saga.order(order_id).reason == "card_declined"


def test_a_payment_provider_hiccup_is_retried(saga: Saga) -> None:
    order_id = saga.place_and_start(token="tok_flaky")
    deliver(saga, order_id)

    succeeded(saga, order_id)
    assert saga.states(order_id) == HAPPY_PATH  # a retry is not a new state
    assert saga.task_errors(order_id) == ["PaymentProviderUnavailable"]
    assert len(saga.payments.entries("authorize", f"{order_id}:")) == 1
    saga.assert_invariants(order_id)


def test_delivery_news_before_the_dispatch_news_captures_then_completes(saga: Saga) -> None:
    order_id = saga.place_and_start()
    saga.waiting_for_carrier(order_id)
    saga.carrier_reports(order_id, DELIVERED)  # the dispatch report is still on its way

    succeeded(saga, order_id)
    assert saga.states(order_id) == HAPPY_PATH
    assert_order(
        saga, order_id, OrderStatus.COMPLETED, PaymentStatus.CAPTURED, ShipmentStatus.DELIVERED
    )
    saga.assert_invariants(order_id)


# ----- before the parcel leaves: void, never ship -----------------------------------------
def test_an_unshippable_address_voids_the_payment(saga: Saga) -> None:
    order_id = saga.place_and_start(address=ANTARCTICA)

    succeeded(saga, order_id)
    assert saga.states(order_id) == [*BEFORE_DISPATCH, *COMPENSATED[1:]]
    assert_order(saga, order_id, OrderStatus.FAILED, PaymentStatus.VOIDED, None)
    assert saga.order(order_id).reason == "the carrier does not deliver to the shipping address"
    saga.assert_invariants(order_id)


def test_a_refused_capture_at_dispatch_keeps_the_parcel_and_never_ships(saga: Saga) -> None:
    order_id = saga.place_and_start(token="tok_nocapture")
    saga.waiting_for_carrier(order_id)
    saga.carrier_reports(order_id, DISPATCHED)

    succeeded(saga, order_id)
    assert saga.states(order_id) == [*AFTER_DISPATCH, *COMPENSATED]
    assert_order(saga, order_id, OrderStatus.FAILED, PaymentStatus.VOIDED, ShipmentStatus.CANCELLED)
    shipment = saga.order(order_id).shipment
    assert shipment is not None and saga.carrier.is_cancelled(shipment.tracking_number)
    assert saga.payments.entries("capture", f"{order_id}:") == []
    assert saga.order(order_id).reason == "the payment could not be collected"
    saga.carrier_reports(order_id, DELIVERED)  # a carrier ignoring the cancel changes nothing
    assert saga.order(order_id).shipment == shipment
    saga.assert_invariants(order_id)


def test_an_authorization_that_expired_before_dispatch_is_not_captured(saga: Saga) -> None:
    order_id = saga.place_and_start()
    saga.waiting_for_carrier(order_id)
    saga.clock.advance(days=7)  # the hold's lifetime, by the domain's clock and the provider's
    saga.carrier_reports(order_id, DISPATCHED)

    succeeded(saga, order_id)
    assert saga.states(order_id) == [*AFTER_DISPATCH, *COMPENSATED]
    assert_order(saga, order_id, OrderStatus.FAILED, PaymentStatus.VOIDED, ShipmentStatus.CANCELLED)
    assert saga.payments.entries("capture", f"{order_id}:") == []
    saga.assert_invariants(order_id)


def test_a_carrier_that_never_comes_is_called_off_within_the_authorizations_life(
    saga: Saga,
) -> None:
    with moto_patches.scaled_time(FAST_TIMEOUTS):  # 6 days of waiting: 0.5 s
        order_id = saga.place_and_start()
        succeeded(saga, order_id)

    assert saga.task_errors(order_id)[-1:] == ["States.Timeout"]
    assert saga.states(order_id) == [*BEFORE_DISPATCH, *COMPENSATED]
    assert_order(saga, order_id, OrderStatus.FAILED, PaymentStatus.VOIDED, ShipmentStatus.CANCELLED)
    assert saga.order(order_id).reason == "the carrier did not come for the parcel in time"
    saga.assert_invariants(order_id)


def test_a_customer_cancel_before_dispatch_compensates_everything(saga: Saga) -> None:
    order_id = saga.place_and_start()
    saga.waiting_for_carrier(order_id)
    saga.cancel(order_id)

    succeeded(saga, order_id)
    assert saga.states(order_id) == [*BEFORE_DISPATCH, *COMPENSATED]
    assert_order(
        saga, order_id, OrderStatus.CANCELLED, PaymentStatus.VOIDED, ShipmentStatus.CANCELLED
    )
    assert saga.order(order_id).reason == "cancelled by customer"
    saga.assert_invariants(order_id)


def test_a_cancel_that_lost_the_race_with_the_start_is_found_by_authorize(saga: Saga) -> None:
    order_id = saga.place()
    saga.cancel(order_id)  # PLACED -> CANCELLED; the start was already on its way
    saga.workflow.start(order_id, {"orderId": order_id})

    succeeded(saga, order_id)
    assert saga.states(order_id) == ["AuthorizePayment", *COMPENSATED[1:]]
    assert_order(saga, order_id, OrderStatus.CANCELLED, PaymentStatus.PENDING, None)
    assert saga.payments.entries("authorize", f"{order_id}:") == []


def test_a_hold_whose_answer_was_lost_is_found_and_released(saga: Saga) -> None:
    """The provider authorized, its answer was lost, the customer cancelled before the retry:
    the order never heard of the hold; VoidPayment finds it by its key and releases it."""
    order_id = saga.place(token="tok_lost")
    saga.payments.before_lost_answer = lambda: saga.cancel(order_id)
    saga.start(order_id)

    succeeded(saga, order_id)
    assert saga.states(order_id) == ["AuthorizePayment", *COMPENSATED[1:]]
    assert saga.task_errors(order_id) == ["PaymentProviderUnavailable", "CancellationRequested"]
    assert_order(saga, order_id, OrderStatus.CANCELLED, PaymentStatus.VOIDED, None)
    assert len(saga.payments.entries("void", f"{order_id}:")) == 1
    saga.assert_invariants(order_id)


def test_a_cancel_after_dispatch_is_refused_and_the_order_completes(saga: Saga) -> None:
    order_id = saga.place_and_start()
    dispatch(saga, order_id)

    with pytest.raises(InvalidTransition):
        saga.cancel(order_id)
    saga.carrier_reports(order_id, DELIVERED)

    succeeded(saga, order_id)
    assert saga.states(order_id) == HAPPY_PATH
    saga.assert_invariants(order_id)


# ----- after the parcel left: refund what was not kept, ask an operator -------------------
def test_a_parcel_lost_on_its_way_is_refunded_and_the_order_fails(saga: Saga) -> None:
    order_id = saga.place_and_start()
    dispatch(saga, order_id)
    saga.carrier_reports(order_id, FAILED, reason="parcel damaged")

    succeeded(saga, order_id)
    assert saga.states(order_id) == [*AFTER_DISPATCH, *COMPENSATED]
    assert_order(saga, order_id, OrderStatus.FAILED, PaymentStatus.CAPTURED, ShipmentStatus.FAILED)
    order = saga.order(order_id)
    assert order.payment.refunded == order.payment.captured == order.total
    assert order.reason == "the carrier could not deliver the parcel"
    saga.assert_invariants(order_id)


def test_a_silent_carrier_after_dispatch_asks_an_operator_never_a_void(saga: Saga) -> None:
    with moto_patches.scaled_time(FAST_TIMEOUTS):  # 14 days without a word: 1.2 s
        order_id = saga.place_and_start()
        capturing = dispatch(saga, order_id)
        asking = saga.waiting_for_carrier(order_id, after=capturing)

    order = saga.order(order_id)
    assert order.status is OrderStatus.NEEDS_ATTENTION
    assert saga.states(order_id) == [*AFTER_DISPATCH, "AskOperator"]
    assert saga.task_errors(order_id) == ["States.Timeout"]
    assert saga.payments.entries("void", f"{order_id}:") == []
    assert saga.payments.entries("refund", f"{order_id}:") == []
    action = operator_action(order)
    assert action is not None and order.shipment is not None
    assert order.shipment.tracking_number in action

    saga.carrier_reports(order_id, DELIVERED)  # what the operator learnt, put on the bus
    succeeded(saga, order_id)
    assert saga.states(order_id) == [*AFTER_DISPATCH, "AskOperator", "CompleteOrder"]
    assert asking != capturing
    assert_order(
        saga, order_id, OrderStatus.COMPLETED, PaymentStatus.CAPTURED, ShipmentStatus.DELIVERED
    )
    saga.assert_invariants(order_id)


def test_a_parcel_the_operator_learns_was_lost_is_refunded(saga: Saga) -> None:
    with moto_patches.scaled_time(FAST_TIMEOUTS):
        order_id = saga.place_and_start()
        saga.waiting_for_carrier(order_id, after=dispatch(saga, order_id))
    saga.carrier_reports(order_id, FAILED, reason="lost in the depot")

    succeeded(saga, order_id)
    assert saga.states(order_id) == [*AFTER_DISPATCH, "AskOperator", *COMPENSATED]
    order = saga.order(order_id)
    assert (order.status, order.payment.refunded) == (OrderStatus.FAILED, order.total)
    saga.assert_invariants(order_id)


def test_a_late_callback_after_the_dispatch_wait_changes_nothing(saga: Saga) -> None:
    with moto_patches.scaled_time(FAST_TIMEOUTS):
        order_id = saga.place_and_start()
        saga.finish(order_id)
    token = saga.order(order_id).wait_token
    before = (saga.order(order_id), len(saga.history(order_id)), list(saga.orders.outbox))

    saga.carrier_reports(order_id, DISPATCHED)  # the carrier's news, a week late
    saga.carrier_reports(order_id, DELIVERED)
    saga.workflow.resume(token, {"orderId": order_id})  # a replayed callback

    order, events, outbox = before
    assert saga.order(order_id).version == order.version
    assert saga.order(order_id).status is OrderStatus.FAILED
    assert len(saga.history(order_id)) == events
    assert saga.orders.outbox == outbox
    assert saga.payments.entries("capture", f"{order_id}:") == []


# ----- starts, faults and bugs ---------------------------------------------------------------
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
    saga.assert_invariants(order_id)


def test_a_compensation_that_fails_once_is_retried(saga: Saga) -> None:
    saga.carrier.failing_cancels = 1  # the carrier is down for CancelShipment's first attempt
    order_id = saga.place_and_start()
    saga.waiting_for_carrier(order_id)
    saga.cancel(order_id)

    succeeded(saga, order_id)
    assert saga.states(order_id) == [*BEFORE_DISPATCH, *COMPENSATED]
    assert saga.task_errors(order_id) == ["CancellationRequested", "CarrierUnavailable"]
    assert saga.carrier.cancel_calls == 2
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
    assert saga.states(order_id) == [*BEFORE_DISPATCH, "CancelShipment", "CompensationFailed"]
    assert saga.carrier.cancel_calls == 13  # the first attempt and 12 retries
    # Stopped before the void: the parcel may still leave, so the money stays authorized
    # (never captured) until an operator decides.
    assert_order(
        saga, order_id, OrderStatus.CANCELLED, PaymentStatus.AUTHORIZED, ShipmentStatus.REQUESTED
    )
    saga.assert_invariants(order_id, compensated=False)


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


def test_an_escalation_nobody_answers_times_the_execution_out(
    saga: Saga, scaled_execution_timeout: None
) -> None:
    """The execution's TimeoutSeconds (30 days) is what pages (ExecutionsTimedOut) when an
    order that asked an operator stays unanswered."""
    with moto_patches.scaled_time(FAST_TIMEOUTS):  # 30 days: 2.6 s
        order_id = saga.place_and_start()
        dispatch(saga, order_id)
        execution = saga.finish(order_id, timeout=60)

    assert execution["status"] == "TIMED_OUT"
    assert saga.states(order_id) == [*AFTER_DISPATCH, "AskOperator"]
    assert saga.order(order_id).status is OrderStatus.NEEDS_ATTENTION


# ----- logs -----------------------------------------------------------------------------------
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
        "RefundPaymentFunction",
        "FailOrderFunction",
    }
    assert {line["correlation_id"] for line in lines} == {order_id}
    assert any(line.get("error") == "AddressNotServiceable" for line in lines)
    for personal in ("Zelda", "Wallaby", "Mawson", "AQ-7031", "tok_visa"):
        assert personal not in task_logs.getvalue()
