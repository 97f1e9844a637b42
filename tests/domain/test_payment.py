"""authorize_payment, capture at dispatch, complete_order, and the void and refund compensations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.commands import CarrierUpdateKind
from domain.errors import (
    CancellationRequested,
    InvalidTransition,
    OrderNotFound,
    PaymentCaptureFailed,
    PaymentDeclined,
    PaymentProviderUnavailable,
    ShipmentFailed,
)
from domain.order_payment import AUTHORIZATION_LIFETIME, DISPATCH_WINDOW
from domain.status import OrderStatus
from domain.values import PaymentStatus, ShipmentStatus
from tests.domain.support import World, eur

S = OrderStatus


# ----------------------------------------------------------------------------- authorize
def test_authorize_records_the_provider_reference(world: World) -> None:
    order = world.place()
    authorized = world.authorize(order.order_id)

    [entry] = world.payments.ledger
    assert (entry.kind, entry.key, entry.amount) == (
        "authorize",
        f"{order.order_id}:authorize",
        order.total,
    )
    assert authorized.status is S.PAYMENT_AUTHORIZED
    assert authorized.payment.status is PaymentStatus.AUTHORIZED
    assert authorized.payment.reference == entry.reference
    assert world.events_of(order.order_id) == ["OrderPlaced", "PaymentAuthorized"]


def test_authorize_twice_calls_the_provider_once(world: World) -> None:
    order = world.order_in(S.PAYMENT_AUTHORIZED)
    again = world.authorize(order.order_id)
    assert again.version == order.version
    assert world.payments.calls_for(order.order_id, "authorize") == [
        ("authorize", f"{order.order_id}:authorize")
    ]
    assert len(world.payments.ledger) == 1


@pytest.mark.parametrize(
    ("token", "reason"),
    [("tok_decline_1", "card_declined"), ("tok_insufficient", "insufficient_funds")],
)
def test_a_decline_records_payment_failed_and_raises(world: World, token: str, reason: str) -> None:
    order = world.place(token=token)
    with pytest.raises(PaymentDeclined) as declined:
        world.authorize(order.order_id)

    assert declined.value.reason == reason
    stored = world.get(order.order_id)
    assert (stored.status, stored.payment.status, stored.reason) == (
        S.PAYMENT_FAILED,
        PaymentStatus.DECLINED,
        reason,
    )
    assert world.events_of(order.order_id) == ["OrderPlaced", "PaymentFailed"]
    assert world.payments.ledger == []


def test_a_repeated_authorize_of_a_declined_order_raises_without_calling_again(
    world: World,
) -> None:
    order = world.order_in(S.PAYMENT_FAILED)
    with pytest.raises(PaymentDeclined, match="card_declined"):
        world.authorize(order.order_id)
    assert len(world.payments.calls_for(order.order_id, "authorize")) == 1
    assert world.get(order.order_id).version == order.version


def test_a_flaky_provider_is_retried_and_authorizes_once(world: World) -> None:
    order = world.place(token="tok_flaky")
    with pytest.raises(PaymentProviderUnavailable) as unavailable:
        world.authorize(order.order_id)
    assert unavailable.value.transient is True
    assert world.get(order.order_id).status is S.PLACED
    assert world.get(order.order_id).version == 1

    assert world.authorize(order.order_id).status is S.PAYMENT_AUTHORIZED
    assert [e.kind for e in world.payments.ledger] == ["authorize"]
    assert len(world.payments.calls_for(order.order_id, "authorize")) == 2


def test_an_unavailable_provider_leaves_the_order_placed(world: World) -> None:
    order = world.place(token="tok_unavailable")
    for _ in range(3):
        with pytest.raises(PaymentProviderUnavailable):
            world.authorize(order.order_id)
    assert world.get(order.order_id).status is S.PLACED
    assert world.payments.ledger == []


def test_authorize_of_a_cancelled_order_moves_no_money(world: World) -> None:
    order = world.order_in(S.CANCELLED)
    with pytest.raises(CancellationRequested) as err:
        world.authorize(order.order_id)
    assert err.value.order_id == order.order_id
    assert world.payments.calls == []


def test_cancellation_racing_authorization(world: World) -> None:
    """The customer cancels between authorize's read and its save: the money the provider
    already holds is recorded on the cancelled order, and void_payment releases it."""
    order = world.place()
    world.orders.interleave(lambda: world.cancel(order.order_id))

    with pytest.raises(CancellationRequested):
        world.authorize(order.order_id)

    stored = world.get(order.order_id)
    assert stored.status is S.CANCELLED
    assert stored.payment.status is PaymentStatus.AUTHORIZED
    [auth] = world.payments.ledger
    assert stored.payment.reference == auth.reference
    assert world.events_of(order.order_id) == ["OrderPlaced", "OrderCancelled", "PaymentAuthorized"]

    voided = world.void(order.order_id)
    assert voided.payment.status is PaymentStatus.VOIDED
    assert voided.status is S.CANCELLED
    assert [(e.kind, e.reference) for e in world.payments.ledger] == [
        ("authorize", auth.reference),
        ("void", auth.reference),
    ]

    with pytest.raises(CancellationRequested):  # a late retry of the step moves nothing
        world.authorize(order.order_id)
    assert len(world.payments.ledger) == 2


def test_cancellation_racing_a_declined_authorization(world: World) -> None:
    order = world.place(token="tok_decline")
    world.orders.interleave(lambda: world.cancel(order.order_id))

    with pytest.raises(CancellationRequested):
        world.authorize(order.order_id)

    stored = world.get(order.order_id)
    assert (stored.status, stored.payment.status) == (S.CANCELLED, PaymentStatus.PENDING)
    assert world.events_of(order.order_id) == ["OrderPlaced", "OrderCancelled"]
    assert world.payments.ledger == []


def test_authorize_of_a_failed_order_moves_no_money(world: World) -> None:
    order = world.order_in(S.FAILED)
    with pytest.raises(InvalidTransition):
        world.authorize(order.order_id)
    assert world.payments.calls == []
    assert world.get(order.order_id).payment.status is PaymentStatus.PENDING


def test_authorize_of_an_unknown_order(world: World) -> None:
    with pytest.raises(OrderNotFound):
        world.authorize("no-such-order")


# ----------------------------------------------------------------------------- capture at dispatch
def dispatched(world: World, **place: object) -> str:
    order = world.order_in(S.SHIPMENT_REQUESTED, **place)
    world.dispatched(order.order_id)
    return order.order_id


def test_the_carrier_at_the_dock_wakes_the_saga_to_capture(world: World) -> None:
    oid = dispatched(world)
    stored = world.get(oid)
    assert (stored.status, stored.payment.status) == (S.SHIPPED, PaymentStatus.AUTHORIZED)
    assert stored.shipment is not None and stored.shipment.status is ShipmentStatus.DISPATCHED
    assert world.workflow.signals == [
        ("resume", "task-token-1", {"orderId": oid, "status": "SHIPPED"})
    ]


def test_capture_at_dispatch_releases_the_parcel_and_waits_for_delivery(world: World) -> None:
    oid = dispatched(world)
    captured = world.capture(oid, "task-token-2")

    assert (captured.payment.status, captured.payment.captured) == (
        PaymentStatus.CAPTURED,
        captured.total,
    )
    assert captured.shipment is not None and captured.shipment.status is ShipmentStatus.IN_TRANSIT
    assert (captured.status, captured.wait_token) == (S.SHIPPED, "task-token-2")
    assert world.payments.ledger_for(oid, "capture") == [captured.total]
    assert world.events_of(oid)[-1] == "PaymentCaptured"
    assert len(world.workflow.signals) == 1  # nothing to hear yet: it waits for the carrier

    completed = (world.delivered(oid), world.complete(oid))[-1]
    assert completed.status is S.COMPLETED
    assert world.payments.ledger_for(oid, "capture") == [completed.total]  # once


def test_a_refused_capture_keeps_the_parcel_at_the_dock_and_calls_it_off(world: World) -> None:
    oid = dispatched(world, token="tok_nocapture")
    with pytest.raises(PaymentCaptureFailed):
        world.capture(oid)

    stored = world.get(oid)
    assert stored.shipment is not None and stored.shipment.status is ShipmentStatus.DISPATCHED
    assert world.payments.ledger_for(oid, "capture") == []
    failed = world.compensate(oid, "the payment could not be collected")
    assert (failed.status, failed.payment.status, failed.payment.captured.amount) == (
        S.FAILED,
        PaymentStatus.VOIDED,
        Decimal("0.00"),
    )
    assert failed.shipment is not None and failed.shipment.status is ShipmentStatus.CANCELLED
    assert world.carrier.is_cancelled(failed.shipment.tracking_number)
    assert world.payments.holds(f"{oid}:") == []


def test_an_expired_authorization_is_refused_before_any_call(world: World) -> None:
    oid = dispatched(world)
    world.clock.advance(days=7)  # the card network's lifetime of a hold
    with pytest.raises(PaymentCaptureFailed, match="expired"):
        world.capture(oid)
    assert world.payments.calls_for(oid, "capture") == []
    assert world.get(oid).payment.status is PaymentStatus.AUTHORIZED


def test_the_providers_hold_lapses_with_the_lifetime_the_domain_models(world: World) -> None:
    order = world.order_in(S.PAYMENT_AUTHORIZED)
    valid_until = order.payment.valid_until
    assert valid_until == order.updated_at + AUTHORIZATION_LIFETIME
    world.clock.advance(days=6, hours=23)
    assert world.payments.holds(f"{order.order_id}:") == [order.payment.reference]
    world.clock.advance(hours=1)
    assert world.payments.holds(f"{order.order_id}:") == []


def test_the_dispatch_wait_ends_inside_the_authorizations_lifetime() -> None:
    assert DISPATCH_WINDOW < AUTHORIZATION_LIFETIME


def test_capture_during_a_provider_outage_is_retried(world: World) -> None:
    oid = dispatched(world)
    world.payments.outage = True
    with pytest.raises(PaymentProviderUnavailable):
        world.capture(oid)
    assert world.get(oid).payment.status is PaymentStatus.AUTHORIZED
    world.payments.outage = False
    assert world.capture(oid).payment.status is PaymentStatus.CAPTURED
    assert len(world.payments.ledger_for(oid, "capture")) == 1


def test_a_lost_capture_answer_is_asked_again_by_its_key(world: World) -> None:
    oid = dispatched(world)
    world.payments.lose_answers = True
    with pytest.raises(PaymentProviderUnavailable):
        world.capture(oid)
    world.payments.lose_answers = False
    assert world.capture(oid).payment.status is PaymentStatus.CAPTURED
    assert len(world.payments.ledger_for(oid, "capture")) == 1


@pytest.mark.parametrize("status", [S.PAYMENT_AUTHORIZED, S.SHIPMENT_REQUESTED])
def test_no_capture_before_the_carrier_comes(world: World, status: OrderStatus) -> None:
    order = world.order_in(status)
    with pytest.raises(InvalidTransition):
        world.capture(order.order_id)
    with pytest.raises(InvalidTransition):
        world.complete(order.order_id)
    assert world.payments.calls_for(order.order_id, "capture") == []


def test_a_parcel_that_failed_at_the_dock_is_not_charged(world: World) -> None:
    oid = dispatched(world)
    world.carrier_update(oid, CarrierUpdateKind.FAILED, reason="not collected")
    with pytest.raises(ShipmentFailed):
        world.capture(oid)
    assert world.payments.calls_for(oid, "capture") == []
    assert world.compensate(oid).payment.status is PaymentStatus.VOIDED


def test_a_delivery_heard_before_the_capture_is_captured_then_completed(world: World) -> None:
    """The carrier's news overtook our capture (or its own dispatch report): the capture
    follows the goods at once."""
    order = world.order_in(S.SHIPMENT_REQUESTED)
    world.delivered(order.order_id)
    completed = world.complete(order.order_id)
    assert (completed.status, completed.payment.status) == (S.COMPLETED, PaymentStatus.CAPTURED)
    assert world.events_of(order.order_id)[-2:] == ["PaymentCaptured", "OrderCompleted"]


def test_a_delivery_heard_first_and_a_refused_capture_fail_visibly(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED, token="tok_nocapture")
    world.delivered(order.order_id)
    with pytest.raises(PaymentCaptureFailed):
        world.complete(order.order_id)
    failed = world.compensate(order.order_id, "delivered, the payment could not be collected")
    assert (failed.status, failed.payment.status) == (S.FAILED, PaymentStatus.VOIDED)


def test_complete_repeated_captures_exactly_once(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    for _ in range(3):
        assert world.complete(order.order_id).version == order.version
    assert world.payments.ledger_for(order.order_id, "capture") == [order.total]
    assert world.payments.calls_for(order.order_id, "capture") == [
        ("capture", f"{order.order_id}:capture")
    ]


def test_complete_repeated_after_a_refund_is_harmless(world: World) -> None:
    order = world.order_in(S.PARTIALLY_REFUNDED)
    again = world.complete(order.order_id)
    assert (again.status, again.version) == (S.PARTIALLY_REFUNDED, order.version)
    assert len(world.payments.ledger_for(order.order_id, "capture")) == 1


def test_no_capture_of_a_voided_payment(world: World) -> None:
    oid = dispatched(world)
    world.void(oid)
    with pytest.raises(InvalidTransition, match="VOIDED"):
        world.capture(oid)
    assert world.payments.calls_for(oid, "capture") == []


# ----------------------------------------------------------------------------- refund undelivered
def test_a_parcel_lost_on_its_way_is_refunded_in_full(world: World) -> None:
    order = world.order_in(S.SHIPPED)
    world.carrier_update(order.order_id, CarrierUpdateKind.FAILED, reason="lost")
    for _ in range(2):
        refunded = world.refund_payment(order.order_id)
    assert refunded.payment.refunded == refunded.payment.captured == order.total
    assert world.payments.ledger_for(order.order_id, "refund") == [order.total]
    failed = world.fail(order.order_id, "the carrier lost the parcel")
    assert failed.status is S.FAILED
    assert failed.payment.captured - failed.payment.refunded == eur("0")


def test_a_parcel_on_its_way_is_never_refunded_or_failed(world: World) -> None:
    order = world.order_in(S.SHIPPED)
    with pytest.raises(InvalidTransition, match="IN_TRANSIT"):
        world.refund_payment(order.order_id)
    with pytest.raises(InvalidTransition, match="on its way"):
        world.fail(order.order_id, "timeout")
    assert world.payments.calls_for(order.order_id, "refund") == []


# ----------------------------------------------------------------------------- void
def test_void_releases_the_authorization_once(world: World) -> None:
    order = world.order_in(S.PAYMENT_AUTHORIZED)
    world.cancel(order.order_id)
    for _ in range(2):
        voided = world.void(order.order_id)
    assert voided.payment.status is PaymentStatus.VOIDED
    assert [e.kind for e in world.payments.ledger] == ["authorize", "void"]
    assert world.payments.calls_for(order.order_id, "void") == [("void", f"{order.order_id}:void")]
    assert world.events_of(order.order_id)[-1] == "PaymentVoided"


@pytest.mark.parametrize("status", [S.PLACED, S.PAYMENT_FAILED, S.COMPLETED])
def test_void_without_an_authorization_does_nothing(world: World, status: OrderStatus) -> None:
    order = world.order_in(status)
    assert world.void(order.order_id).version == order.version
    assert world.payments.calls_for(order.order_id, "void") == []


def test_void_during_a_provider_outage_is_retried(world: World) -> None:
    order = world.order_in(S.PAYMENT_AUTHORIZED)
    world.cancel(order.order_id)
    world.payments.outage = True
    with pytest.raises(PaymentProviderUnavailable):
        world.void(order.order_id)
    assert world.get(order.order_id).payment.status is PaymentStatus.AUTHORIZED
    world.payments.outage = False
    assert world.void(order.order_id).payment.status is PaymentStatus.VOIDED


def test_a_hold_whose_answer_was_lost_is_found_by_its_key_and_voided(world: World) -> None:
    """The provider authorized, its answer never arrived, then the customer cancelled: the
    order knows no reference, the void asks the provider by the authorization's key."""
    order = world.place(token="tok_lost")
    with pytest.raises(PaymentProviderUnavailable):
        world.authorize(order.order_id)
    world.cancel(order.order_id)
    with pytest.raises(CancellationRequested):
        world.authorize(order.order_id)  # the retried step moves no money for a cancelled order
    assert world.payments.holds(f"{order.order_id}:") != []

    voided = world.void(order.order_id)

    assert (voided.status, voided.payment.status) == (S.CANCELLED, PaymentStatus.VOIDED)
    assert voided.payment.reference == world.payments.ledger[0].reference
    assert world.payments.holds(f"{order.order_id}:") == []
    assert world.payments.calls_for(order.order_id, "find_authorization") == [
        ("find_authorization", f"{order.order_id}:authorize")
    ]
    assert world.void(order.order_id).version == voided.version  # repeated: nothing more


def test_a_void_with_no_hold_anywhere_moves_nothing(world: World) -> None:
    order = world.order_in(S.CANCELLED)
    assert world.void(order.order_id).version == order.version
    assert world.payments.calls_for(order.order_id, "void") == []
