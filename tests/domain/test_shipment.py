"""request_shipment, record_carrier_update and the cancel_shipment compensation."""

from __future__ import annotations

import pytest

from domain.attention import operator_action
from domain.commands import CarrierUpdateKind
from domain.errors import (
    AddressNotServiceable,
    CancellationRequested,
    CarrierUnavailable,
    InvalidTransition,
    OrderNotFound,
    UnknownShipment,
)
from domain.events import DeliveryFailed, OrderNeedsAttention
from domain.status import OrderStatus
from domain.values import Address, PaymentStatus, ShipmentStatus
from tests.domain.support import ANTARCTICA, FLAKY, NOWHERE, World, eur

S = OrderStatus
K = CarrierUpdateKind


# ----------------------------------------------------------------------------- request
def test_request_shipment_books_one_parcel_and_keeps_the_token(world: World) -> None:
    order = world.order_in(S.PAYMENT_AUTHORIZED)
    shipped = world.ship(order.order_id, "task-token-1")

    assert shipped.status is S.SHIPMENT_REQUESTED
    assert shipped.shipment is not None
    assert shipped.shipment.status is ShipmentStatus.REQUESTED
    assert shipped.shipment.carrier == "SimShip"
    assert shipped.shipment.tracking_number == world.carrier.booked()[0]
    assert shipped.wait_token == "task-token-1"
    assert world.events_of(order.order_id)[-1] == "ShipmentRequested"
    assert world.workflow.signals == []  # nothing to answer yet: it waits for the carrier


def test_request_shipment_repeated_books_once(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)
    again = world.ship(order.order_id, "task-token-1")
    assert again.version == order.version
    assert len(world.carrier.booked()) == 1
    assert len(world.carrier.calls) == 1


def test_a_retried_step_replaces_the_token_without_a_second_parcel(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)
    again = world.ship(order.order_id, "task-token-2")
    assert again.wait_token == "task-token-2"
    assert again.version == order.version + 1  # a new version, but no event: not a state change
    assert world.events_of(order.order_id).count("ShipmentRequested") == 1
    assert len(world.carrier.booked()) == 1


def test_a_retried_step_after_dispatch_is_answered_at_once(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)
    world.dispatched(order.order_id)
    world.ship(order.order_id, "task-token-9")
    assert world.workflow.signals[-1] == (
        "resume",
        "task-token-9",
        {"orderId": order.order_id, "status": "SHIPPED"},
    )
    assert len(world.carrier.booked()) == 1


@pytest.mark.parametrize("address", [ANTARCTICA, NOWHERE], ids=["country-AQ", "postcode-000"])
def test_address_not_serviceable_books_nothing(world: World, address: Address) -> None:
    order = world.order_in(S.PAYMENT_AUTHORIZED, address=address)
    with pytest.raises(AddressNotServiceable):
        world.ship(order.order_id)
    stored = world.get(order.order_id)
    assert (stored.status, stored.shipment, stored.wait_token) == (S.PAYMENT_AUTHORIZED, None, "")
    assert stored.version == order.version
    assert world.carrier.booked() == []


def test_a_flaky_carrier_is_retried_and_books_once(world: World) -> None:
    order = world.order_in(S.PAYMENT_AUTHORIZED, address=FLAKY)
    with pytest.raises(CarrierUnavailable) as unavailable:
        world.ship(order.order_id)
    assert unavailable.value.transient is True
    assert world.get(order.order_id).shipment is None

    assert world.ship(order.order_id).status is S.SHIPMENT_REQUESTED
    assert len(world.carrier.booked()) == 1


def test_request_shipment_of_a_cancelled_order_books_nothing(world: World) -> None:
    order = world.order_in(S.PAYMENT_AUTHORIZED)
    world.cancel(order.order_id)
    with pytest.raises(CancellationRequested):
        world.ship(order.order_id)
    assert world.carrier.calls == []


@pytest.mark.parametrize("status", [S.PLACED, S.PAYMENT_FAILED, S.FAILED])
def test_request_shipment_before_payment_books_nothing(world: World, status: OrderStatus) -> None:
    order = world.order_in(status)
    with pytest.raises(InvalidTransition):
        world.ship(order.order_id)
    assert world.carrier.calls == []
    assert world.get(order.order_id).version == order.version


def test_cancellation_racing_the_booking(world: World) -> None:
    """The customer cancels between request_shipment's read and its save: the parcel is
    recorded on the cancelled order, and cancel_shipment calls it off."""
    order = world.order_in(S.PAYMENT_AUTHORIZED)
    world.orders.interleave(lambda: world.cancel(order.order_id))

    with pytest.raises(CancellationRequested):
        world.ship(order.order_id)

    stored = world.get(order.order_id)
    assert stored.status is S.CANCELLED
    assert stored.shipment is not None and stored.shipment.status is ShipmentStatus.REQUESTED
    [tracking] = world.carrier.booked()
    assert stored.shipment.tracking_number == tracking

    world.cancel_shipment(order.order_id)
    world.void(order.order_id)
    after = world.get(order.order_id)
    assert after.shipment is not None and not after.shipment.is_active
    assert after.payment.status is PaymentStatus.VOIDED
    assert world.carrier.is_cancelled(tracking)


def test_request_shipment_of_an_unknown_order(world: World) -> None:
    with pytest.raises(OrderNotFound):
        world.ship("no-such-order")


# ----------------------------------------------------------------------------- carrier updates
def test_dispatched_captured_then_delivered(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)

    shipped = world.dispatched(order.order_id)
    assert (shipped.status, shipped.shipment and shipped.shipment.status) == (
        S.SHIPPED,
        ShipmentStatus.DISPATCHED,
    )
    assert world.workflow.signals == [
        ("resume", "task-token-1", {"orderId": order.order_id, "status": "SHIPPED"})
    ]
    world.capture(order.order_id, "task-token-2")
    world.dispatched(order.order_id)  # re-sent while on its way: the wait is kept alive
    assert world.workflow.signals[-1] == ("heartbeat", "task-token-2", None)

    delivered = world.delivered(order.order_id)
    assert (delivered.status, delivered.shipment and delivered.shipment.status) == (
        S.DELIVERED,
        ShipmentStatus.DELIVERED,
    )
    assert world.workflow.signals[-1] == (
        "resume",
        "task-token-2",
        {"orderId": order.order_id, "status": "DELIVERED"},
    )
    assert world.events_of(order.order_id)[-3:] == [
        "ShipmentDispatched",
        "PaymentCaptured",
        "ShipmentDelivered",
    ]


def test_delivered_before_dispatched(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)
    delivered = world.delivered(order.order_id)
    assert delivered.status is S.DELIVERED

    late = world.dispatched(order.order_id)  # the carrier's late news changes nothing
    assert (late.status, late.version) == (S.DELIVERED, delivered.version)
    assert world.events_of(order.order_id).count("ShipmentDispatched") == 0
    assert {kind for kind, _, _ in world.workflow.signals} == {"resume"}


@pytest.mark.parametrize("kind", list(CarrierUpdateKind))
def test_duplicate_updates_are_recorded_once(world: World, kind: CarrierUpdateKind) -> None:
    order = world.order_in(S.SHIPPED)
    first = world.carrier_update(order.order_id, kind)
    for _ in range(3):
        again = world.carrier_update(order.order_id, kind)
        assert (again.status, again.version) == (first.status, first.version)
    events = world.events_of(order.order_id)
    assert len(events) == len(set(events))


def test_delivery_failed_fails_the_wait(world: World) -> None:
    order = world.order_in(S.SHIPPED)
    failed = world.carrier_update(order.order_id, K.FAILED, reason="parcel lost")

    assert failed.status is S.SHIPPED  # the workflow decides: compensate, then fail the order
    assert failed.shipment is not None and failed.shipment.status is ShipmentStatus.FAILED
    assert world.workflow.signals[-1] == ("fail", "task-token-2", "ShipmentFailed")
    assert world.events_of(order.order_id)[-1] == "DeliveryFailed"
    assert world.last_event(DeliveryFailed).reason == "parcel lost"

    done = world.compensate(order.order_id, "shipment failed")  # nothing to call off or void
    assert (done.status, done.payment.status) == (S.FAILED, PaymentStatus.CAPTURED)
    assert done.payment.refunded == done.payment.captured == done.total
    assert world.carrier.calls == [("book", f"{order.order_id}:ship")]


def test_delivery_failed_without_a_reason(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)
    world.carrier_update(order.order_id, K.FAILED)
    assert world.last_event(DeliveryFailed).reason == "reported by the carrier"


def test_late_delivery_of_a_failed_parcel_is_ignored(world: World) -> None:
    order = world.order_in(S.SHIPPED)
    failed = world.carrier_update(order.order_id, K.FAILED)
    late = world.delivered(order.order_id)
    assert (late.status, late.version) == (S.SHIPPED, failed.version)


@pytest.mark.parametrize("kind", list(CarrierUpdateKind))
def test_unknown_tracking_number(world: World, kind: CarrierUpdateKind) -> None:
    order = world.order_in(S.SHIPPED)
    with pytest.raises(UnknownShipment, match="TRK-FORGED"):
        world.carrier_update(order.order_id, kind, tracking="TRK-FORGED")
    assert world.get(order.order_id).version == order.version


def test_an_update_for_an_order_without_a_parcel(world: World) -> None:
    order = world.order_in(S.PAYMENT_AUTHORIZED)
    with pytest.raises(UnknownShipment):
        world.carrier_update(order.order_id, K.DELIVERED, tracking="TRK123")


def test_an_update_for_an_unknown_order(world: World) -> None:
    with pytest.raises(OrderNotFound):
        world.carrier_update("no-such-order", K.DELIVERED, tracking="TRK123")


def test_updates_after_completion_change_nothing(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    signals = len(world.workflow.signals)
    for kind in CarrierUpdateKind:
        assert world.carrier_update(order.order_id, kind).version == order.version
    assert len(world.workflow.signals) == signals


def test_dispatch_of_a_cancelled_order_is_ignored(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)
    world.cancel(order.order_id)
    cancelled = world.get(order.order_id)
    after = world.dispatched(order.order_id)
    assert (after.status, after.version) == (S.CANCELLED, cancelled.version)


# ----------------------------------------------------------------------------- cancel shipment
def test_cancel_shipment_calls_the_parcel_off_once(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)
    world.cancel(order.order_id)
    for _ in range(2):
        after = world.cancel_shipment(order.order_id)
    assert after.shipment is not None and after.shipment.status is ShipmentStatus.CANCELLED
    assert world.carrier.is_cancelled(after.shipment.tracking_number)
    assert [c for c in world.carrier.calls if c[0] == "cancel"] == [
        ("cancel", f"{order.order_id}:cancel-shipment")
    ]
    assert world.events_of(order.order_id).count("ShipmentCancelled") == 1


@pytest.mark.parametrize("status", [S.PLACED, S.PAYMENT_AUTHORIZED, S.SHIPPED, S.COMPLETED])
def test_cancel_shipment_without_a_booked_parcel_does_nothing(
    world: World, status: OrderStatus
) -> None:
    order = world.order_in(status)
    assert world.cancel_shipment(order.order_id).version == order.version
    assert not any(kind == "cancel" for kind, _ in world.carrier.calls)


def test_cancel_shipment_during_a_carrier_outage_is_retried(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)
    world.cancel(order.order_id)
    world.carrier.outage = True
    with pytest.raises(CarrierUnavailable):
        world.cancel_shipment(order.order_id)
    world.carrier.outage = False
    after = world.cancel_shipment(order.order_id)
    assert after.shipment is not None and after.shipment.status is ShipmentStatus.CANCELLED


# ----------------------------------------------------------------------------- after dispatch
def test_a_silent_carrier_after_dispatch_asks_an_operator_never_a_refund(world: World) -> None:
    order = world.order_in(S.SHIPPED)
    asked = world.ask_operator(order.order_id, "task-token-3")

    assert (asked.status, asked.wait_token) == (S.NEEDS_ATTENTION, "task-token-3")
    event = world.last_event(OrderNeedsAttention)
    assert "has not reported" in event.reason == asked.reason
    action = operator_action(asked)
    assert action is not None and asked.shipment is not None
    assert asked.shipment.tracking_number in action and "ShipmentDelivered" in action
    assert (
        asked.payment.refunded == eur("0")
        and world.payments.calls_for(order.order_id, "void") == []
    )
    assert world.ask_operator(order.order_id, "task-token-3").version == asked.version

    late = world.delivered(order.order_id)  # the carrier's word, or an operator's on its behalf
    assert late.status is S.DELIVERED
    assert world.workflow.signals[-1][:2] == ("resume", "task-token-3")
    assert world.complete(order.order_id).status is S.COMPLETED


def test_a_lost_parcel_reported_to_the_operator_is_refunded(world: World) -> None:
    order = world.order_in(S.NEEDS_ATTENTION)
    world.carrier_update(order.order_id, K.FAILED, reason="lost in the depot")
    assert world.workflow.signals[-1] == ("fail", "task-token-3", "ShipmentFailed")
    failed = world.compensate(order.order_id, "the carrier lost the parcel")
    assert (failed.status, failed.payment.refunded) == (S.FAILED, failed.total)


def test_news_before_the_operator_is_asked_ends_the_wait_at_once(world: World) -> None:
    order = world.order_in(S.SHIPPED)
    world.delivered(order.order_id)
    asked = world.ask_operator(order.order_id, "task-token-3")
    assert asked.status is S.DELIVERED
    assert world.workflow.signals[-1][:2] == ("resume", "task-token-3")


def test_a_booking_whose_answer_was_lost_is_found_and_called_off(world: World) -> None:
    order = world.order_in(S.PAYMENT_AUTHORIZED)
    world.carrier.lose_answers = True
    with pytest.raises(CarrierUnavailable):
        world.ship(order.order_id)
    world.carrier.lose_answers = False
    world.cancel(order.order_id)

    called_off = world.cancel_shipment(order.order_id)

    assert called_off.shipment is not None
    assert called_off.shipment.status is ShipmentStatus.CANCELLED
    assert world.carrier.is_cancelled(world.carrier.booked()[0])
    assert world.events_of(order.order_id)[-2:] == ["ShipmentRequested", "ShipmentCancelled"]
    assert world.cancel_shipment(order.order_id).version == called_off.version
