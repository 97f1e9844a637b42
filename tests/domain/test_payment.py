"""authorize_payment, capture/complete_order and the void_payment compensation."""

from __future__ import annotations

import pytest

from domain.errors import (
    CancellationRequested,
    InvalidTransition,
    OrderNotFound,
    PaymentCaptureFailed,
    PaymentDeclined,
    PaymentProviderUnavailable,
)
from domain.status import OrderStatus
from domain.values import PaymentStatus
from tests.domain.support import World

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


# ----------------------------------------------------------------------------- capture / complete
def test_complete_captures_then_completes(world: World) -> None:
    order = world.order_in(S.DELIVERED)
    completed = world.complete(order.order_id)

    assert completed.status is S.COMPLETED
    assert (completed.payment.status, completed.payment.captured) == (
        PaymentStatus.CAPTURED,
        order.total,
    )
    assert world.payments.ledger_for(order.order_id, "capture") == [order.total]
    assert world.events_of(order.order_id)[-2:] == ["PaymentCaptured", "OrderCompleted"]


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


def test_capture_refused_by_the_provider(world: World) -> None:
    order = world.order_in(S.DELIVERED, token="tok_nocapture")
    with pytest.raises(PaymentCaptureFailed):
        world.complete(order.order_id)

    stored = world.get(order.order_id)
    assert (stored.status, stored.payment.status) == (S.DELIVERED, PaymentStatus.AUTHORIZED)
    assert world.payments.ledger_for(order.order_id, "capture") == []

    # The workflow compensates: release the authorization, then fail the order.
    world.void(order.order_id)
    failed = world.fail(order.order_id, "capture refused")
    assert (failed.status, failed.payment.status, failed.reason) == (
        S.FAILED,
        PaymentStatus.VOIDED,
        "capture refused",
    )


def test_capture_during_a_provider_outage_is_retried(world: World) -> None:
    order = world.order_in(S.DELIVERED)
    world.payments.outage = True
    with pytest.raises(PaymentProviderUnavailable):
        world.complete(order.order_id)
    assert world.get(order.order_id).status is S.DELIVERED

    world.payments.outage = False
    assert world.complete(order.order_id).status is S.COMPLETED
    assert len(world.payments.ledger_for(order.order_id, "capture")) == 1


@pytest.mark.parametrize("status", [S.PAYMENT_AUTHORIZED, S.SHIPMENT_REQUESTED, S.SHIPPED])
def test_no_capture_before_delivery(world: World, status: OrderStatus) -> None:
    order = world.order_in(status)
    with pytest.raises(InvalidTransition):
        world.complete(order.order_id)
    assert world.payments.calls_for(order.order_id, "capture") == []


def test_no_capture_of_a_voided_payment(world: World) -> None:
    order = world.order_in(S.DELIVERED)
    world.void(order.order_id)
    with pytest.raises(InvalidTransition, match="VOIDED"):
        world.complete(order.order_id)
    assert world.payments.calls_for(order.order_id, "capture") == []


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
