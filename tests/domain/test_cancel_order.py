"""cancel_order by the customer, and the compensations that follow it (fail_order included)."""

from __future__ import annotations

import pytest

from domain.errors import CancellationRequested, InvalidTransition, OrderNotFound
from domain.events import OrderCancelled
from domain.status import CANCELLABLE, OrderStatus
from domain.values import PaymentStatus, ShipmentStatus
from tests.domain.support import BOB, World

S = OrderStatus


@pytest.mark.parametrize("status", sorted(CANCELLABLE))
def test_cancel_before_dispatch(world: World, status: OrderStatus) -> None:
    order = world.order_in(status)
    cancelled = world.cancel(order.order_id, reason="found it cheaper")
    assert (cancelled.status, cancelled.reason) == (S.CANCELLED, "found it cheaper")
    assert world.events_of(order.order_id)[-1] == "OrderCancelled"
    assert world.last_event(OrderCancelled).reason == "found it cheaper"


def test_cancel_before_the_carrier_wait_signals_nothing(world: World) -> None:
    order = world.order_in(S.PAYMENT_AUTHORIZED)
    world.cancel(order.order_id)
    assert world.workflow.signals == []  # the next step sees the cancellation itself


def test_cancel_while_waiting_for_the_carrier_wakes_the_workflow(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)
    world.cancel(order.order_id, reason="too slow")
    assert world.workflow.signals == [("fail", "task-token-1", CancellationRequested.__name__)]


def test_cancel_repeated_is_harmless(world: World) -> None:
    order = world.order_in(S.PLACED)
    first = world.cancel(order.order_id)
    again = world.cancel(order.order_id, reason="really")
    assert (again.version, again.reason) == (first.version, first.reason)
    assert world.events_of(order.order_id).count("OrderCancelled") == 1


@pytest.mark.parametrize("status", sorted(set(OrderStatus) - CANCELLABLE - {S.CANCELLED}))
def test_cancel_after_dispatch_or_the_end_is_refused(world: World, status: OrderStatus) -> None:
    order = world.order_in(status)
    with pytest.raises(InvalidTransition) as refused:
        world.cancel(order.order_id)
    assert refused.value.target == "CANCELLED"
    assert world.get(order.order_id).version == order.version
    assert world.workflow.signals.count(("fail", "task-token-1", "CancellationRequested")) == 0


def test_another_customers_order_cannot_be_cancelled(world: World) -> None:
    order = world.order_in(S.PLACED)
    with pytest.raises(OrderNotFound) as err:
        world.cancel(order.order_id, customer=BOB)
    assert err.value.order_id == order.order_id
    assert world.get(order.order_id).status is S.PLACED


def test_cancel_of_an_unknown_order(world: World) -> None:
    with pytest.raises(OrderNotFound):
        world.cancel("no-such-order")


def test_the_whole_cancellation_leaves_nothing_active(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)
    world.cancel(order.order_id)

    # What the workflow runs on CancellationRequested, each step possibly twice.
    for _ in range(2):
        world.cancel_shipment(order.order_id)
        world.void(order.order_id)
        world.fail(order.order_id, "cancelled")

    after = world.get(order.order_id)
    assert after.status is S.CANCELLED
    assert after.shipment is not None and after.shipment.status is ShipmentStatus.CANCELLED
    assert after.payment.status is PaymentStatus.VOIDED
    assert world.carrier.is_cancelled(after.shipment.tracking_number)
    assert [e.kind for e in world.payments.ledger] == ["authorize", "void"]
    assert world.events_of(order.order_id) == [
        "OrderPlaced",
        "PaymentAuthorized",
        "ShipmentRequested",
        "OrderCancelled",
        "ShipmentCancelled",
        "PaymentVoided",
    ]


# ----------------------------------------------------------------------------- fail_order
def test_fail_order_refuses_uncompensated_steps(world: World) -> None:
    order = world.order_in(S.PAYMENT_AUTHORIZED)
    with pytest.raises(InvalidTransition, match="uncompensated"):
        world.fail(order.order_id)
    world.void(order.order_id)
    failed = world.fail(order.order_id, "carrier down for a day")
    assert (failed.status, failed.reason) == (S.FAILED, "carrier down for a day")


def test_fail_order_repeated_is_harmless(world: World) -> None:
    order = world.order_in(S.FAILED)
    again = world.fail(order.order_id, "again")
    assert (again.version, again.reason) == (order.version, order.reason)


@pytest.mark.parametrize("status", [S.CANCELLED, S.PAYMENT_FAILED])
def test_fail_order_of_a_closed_order_does_nothing(world: World, status: OrderStatus) -> None:
    order = world.order_in(status)
    assert world.fail(order.order_id).version == order.version


def test_fail_order_of_a_completed_order_is_refused(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    with pytest.raises(InvalidTransition):
        world.fail(order.order_id)
