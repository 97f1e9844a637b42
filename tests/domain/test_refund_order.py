"""refund_order: never more than was captured, never twice, never another customer's order."""

from __future__ import annotations

import pytest

from domain.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    InvalidTransition,
    OrderNotFound,
    RefundNotAllowed,
)
from domain.events import RefundIssued
from domain.money import Money
from domain.status import OrderStatus
from tests.domain.support import BOB, World, eur

S = OrderStatus


def test_partial_then_full_refund(world: World) -> None:
    order = world.order_in(S.COMPLETED)  # 2 x 12.50 + 19.99 = 44.99 captured
    assert order.payment.captured == eur("44.99")

    part = world.refund(order.order_id, eur("10.00"), refund_id="r-1")
    assert (part.status, part.payment.refunded, part.payment.refundable) == (
        S.PARTIALLY_REFUNDED,
        eur("10.00"),
        eur("34.99"),
    )

    rest = world.refund(order.order_id, None, refund_id="r-2")
    assert (rest.status, rest.payment.refunded) == (S.REFUNDED, eur("44.99"))
    assert world.payments.ledger_for(order.order_id, "refund") == [eur("10.00"), eur("34.99")]
    assert [r.refund_id for r in rest.refunds] == ["r-1", "r-2"]
    assert all(r.provider_reference for r in rest.refunds)
    assert world.events_of(order.order_id)[-2:] == ["RefundIssued", "RefundIssued"]
    assert world.last_event(RefundIssued).total_refunded == eur("44.99")


def test_partial_refunds_adding_up_to_the_capture_end_refunded(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    world.refund(order.order_id, eur("0.99"), refund_id="r-1")
    world.refund(order.order_id, eur("20.00"), refund_id="r-2")
    last = world.refund(order.order_id, eur("24.00"), refund_id="r-3")
    assert (last.status, last.payment.refundable) == (S.REFUNDED, eur("0"))


def test_refund_above_captured_is_refused_before_any_provider_call(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    with pytest.raises(RefundNotAllowed, match=r"at most 44\.99 EUR") as err:
        world.refund(order.order_id, eur("45.00"))
    assert err.value.field == "amount"

    world.refund(order.order_id, eur("40.00"), refund_id="r-1")
    with pytest.raises(RefundNotAllowed, match=r"at most 4\.99 EUR"):
        world.refund(order.order_id, eur("5.00"), refund_id="r-2")
    assert world.payments.calls_for(order.order_id, "refund") == [
        ("refund", f"{order.order_id}:refund:r-1")
    ]
    assert world.get(order.order_id).payment.refunded == eur("40.00")


@pytest.mark.parametrize("amount", ["0", "-1.00"])
def test_refund_of_nothing_is_refused(world: World, amount: str) -> None:
    order = world.order_in(S.COMPLETED)
    with pytest.raises(RefundNotAllowed, match="more than zero"):
        world.refund(order.order_id, eur(amount))
    assert world.payments.calls_for(order.order_id, "refund") == []


def test_refund_in_another_currency_is_refused(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    with pytest.raises(RefundNotAllowed) as err:
        world.refund(order.order_id, Money.of("1.00", "USD"))
    assert err.value.field == "currency"


def test_the_same_refund_id_twice_refunds_once(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    first = world.refund(order.order_id, eur("5.00"), refund_id="r-1")
    again = world.refund(order.order_id, eur("5.00"), refund_id="r-1")
    assert again.version == first.version
    assert again.payment.refunded == eur("5.00")
    assert len(world.payments.ledger_for(order.order_id, "refund")) == 1
    assert world.payments.calls_for(order.order_id, "refund") == [
        ("refund", f"{order.order_id}:refund:r-1")
    ]


def test_the_same_refund_id_after_a_full_refund_is_still_harmless(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    world.refund(order.order_id, None, refund_id="r-1")
    assert world.refund(order.order_id, None, refund_id="r-1").status is S.REFUNDED


@pytest.mark.parametrize(
    "status",
    [S.PLACED, S.PAYMENT_AUTHORIZED, S.SHIPPED, S.DELIVERED, S.CANCELLED, S.FAILED, S.REFUNDED],
)
def test_refund_before_capture_or_after_the_full_refund_is_refused(
    world: World, status: OrderStatus
) -> None:
    order = world.order_in(status)
    calls = len(world.payments.calls)
    with pytest.raises(InvalidTransition):
        world.refund(order.order_id, eur("1.00"), refund_id="late")
    assert len(world.payments.calls) == calls


def test_another_customers_order_cannot_be_refunded(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    with pytest.raises(OrderNotFound):
        world.refund(order.order_id, eur("1.00"), customer=BOB)
    assert world.payments.calls_for(order.order_id, "refund") == []


def test_refund_of_an_unknown_order(world: World) -> None:
    with pytest.raises(OrderNotFound):
        world.refund("no-such-order", eur("1.00"))


def test_two_concurrent_refunds_cannot_exceed_the_capture(world: World) -> None:
    """Both read 44.99 refundable; without the claim both 40.00 refunds would be paid."""
    order = world.order_in(S.COMPLETED)
    world.orders.interleave(lambda: world.refund(order.order_id, eur("40.00"), refund_id="r-a"))
    with pytest.raises(ConcurrencyConflict):
        world.refund(order.order_id, eur("40.00"), refund_id="r-b")
    stored = world.get(order.order_id)
    assert stored.payment.refunded == eur("40.00")
    assert world.payments.ledger_for(order.order_id, "refund") == [eur("40.00")]
    assert stored.pending_refund is None


def test_a_claim_left_by_a_crash_is_finished_by_the_next_refund(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    stuck = world.get(order.order_id)
    stuck.reserve_refund("r-crashed", eur("10.00"), "damaged", world.clock.now())
    world.orders.save(stuck)  # claimed, then the process died before the provider paid

    with pytest.raises(ConcurrencyConflict):  # a concurrent writer sees the claim as a race
        world.get(order.order_id).reserve_refund("r-x", eur("1.00"), "x", world.clock.now())
    done = world.refund(order.order_id, eur("5.00"), refund_id="r-next")
    assert [r.refund_id for r in done.refunds] == ["r-crashed", "r-next"]
    assert done.payment.refunded == eur("15.00")
    assert done.pending_refund is None
    assert world.refund(order.order_id, eur("10.00"), refund_id="r-crashed").refunds == (
        done.refunds
    )  # retrying the crashed request later changes nothing


def test_the_same_refund_key_asking_another_amount_is_refused(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    world.refund(order.order_id, eur("10.00"), refund_id="r-1")
    with pytest.raises(IdempotencyKeyReused):
        world.refund(order.order_id, eur("12.00"), refund_id="r-1")
    again = world.refund(order.order_id, eur("10.00"), refund_id="r-1")
    assert again.payment.refunded == eur("10.00")
