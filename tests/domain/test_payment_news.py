"""What the payment provider tells us on its own (Stripe's events), through the use case: a
refund made in its dashboard, a dispute, an authorization it let lapse."""

from __future__ import annotations

from typing import Any

import pytest

from domain.attention import operator_action
from domain.commands import PaymentNewsKind, RecordPaymentNews
from domain.errors import (
    OrderNotFound,
    PaymentCaptureFailed,
    PaymentNewsTooEarly,
    UnknownPayment,
)
from domain.events import AuthorizationExpired, PaymentDisputed, RefundIssued
from domain.order import Order
from domain.order_payment import order_id_of_key
from domain.status import OrderStatus, PaymentStatus
from tests.domain.support import World, eur

S = OrderStatus


def news(
    order: Order, kind: PaymentNewsKind, event_id: str = "evt_1", **kw: Any
) -> RecordPaymentNews:
    return RecordPaymentNews(
        event_id=event_id,
        kind=kind,
        payment_reference=order.payment.reference,
        order_id=kw.pop("order_id", order.order_id),
        **kw,
    )


def refunded(order: Order, total: str, event_id: str = "evt_1") -> RecordPaymentNews:
    return news(
        order, PaymentNewsKind.REFUNDED, event_id, amount=eur(total), charge_reference="ch_1"
    )


def dispute(order: Order, status: str, event_id: str = "evt_d", **kw: Any) -> RecordPaymentNews:
    return news(
        order,
        PaymentNewsKind.DISPUTE,
        event_id,
        amount=kw.pop("amount", order.total),
        dispute_id=kw.pop("dispute_id", "dp_1"),
        status=status,
        reason="fraudulent",
    )


# ----------------------------------------------------------------------------- refunds
def test_a_dashboard_refund_appears_in_the_orders_refunds(world: World) -> None:
    order = world.order_in(S.COMPLETED)

    after = world.app.record_payment_news(refunded(order, "5.00"))

    assert after.status is S.PARTIALLY_REFUNDED
    assert after.payment.refunded == eur("5.00")
    assert [(r.refund_id, r.amount, r.provider_reference) for r in after.refunds] == [
        ("evt_1", eur("5.00"), "ch_1")
    ]
    assert world.last_event(RefundIssued).total_refunded == eur("5.00")


def test_the_same_event_twice_is_recorded_once(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    world.app.record_payment_news(refunded(order, "5.00"))
    updates = world.orders.updates

    again = world.app.record_payment_news(refunded(order, "5.00"))

    assert again.payment.refunded == eur("5.00") and len(again.refunds) == 1
    assert world.orders.updates == updates  # nothing written


def test_our_own_refund_told_back_by_stripe_is_not_counted_twice(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    world.refund(order.order_id, eur("4.00"))  # ours: recorded when we made it

    after = world.app.record_payment_news(refunded(order, "4.00"))

    assert after.payment.refunded == eur("4.00")
    assert [r.refund_id for r in after.refunds] == ["refund-1"]


def test_only_what_our_refunds_do_not_explain_is_recorded(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    world.refund(order.order_id, eur("4.00"))

    after = world.app.record_payment_news(refunded(order, "10.00", "evt_2"))

    assert after.payment.refunded == eur("10.00")
    assert after.refund_for("evt_2") is not None
    assert after.refund_for("evt_2").amount == eur("6.00")  # type: ignore[union-attr]


def test_news_older_than_a_later_refund_changes_nothing(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    world.app.record_payment_news(refunded(order, "10.00", "evt_2"))

    late = world.app.record_payment_news(refunded(order, "5.00", "evt_1"))

    assert late.payment.refunded == eur("10.00") and len(late.refunds) == 1


def test_a_full_dashboard_refund_refunds_the_order(world: World) -> None:
    order = world.order_in(S.COMPLETED)

    after = world.app.record_payment_news(refunded(order, str(order.total.amount)))

    assert after.status is S.REFUNDED
    assert after.payment.refundable == eur("0.00")


def test_a_refund_while_ours_is_claimed_waits_for_ours(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    claimed = world.get(order.order_id)
    claimed.reserve_refund("mine", eur("3.00"), "damaged", world.clock.now())
    world.orders.save(claimed)

    with pytest.raises(PaymentNewsTooEarly) as early:
        world.app.record_payment_news(refunded(order, "3.00"))

    assert early.value.transient  # Lambda retries, then the failure destination keeps it
    assert world.get(order.order_id).payment.refunded == eur("0.00")


def test_a_refund_before_the_capture_is_recorded_is_retried(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)  # captured at Stripe, its answer not in yet
    assert order.payment.status is PaymentStatus.AUTHORIZED

    with pytest.raises(PaymentNewsTooEarly):
        world.app.record_payment_news(refunded(order, "1.00"))


def test_a_refund_before_completion_keeps_the_status_and_the_invariant(world: World) -> None:
    order = world.order_in(S.DELIVERED)
    assert order.payment.status is PaymentStatus.CAPTURED

    after = world.app.record_payment_news(refunded(order, "2.00"))

    assert after.status is S.DELIVERED
    assert after.payment.refunded == eur("2.00") <= after.payment.captured
    completed = world.complete(order.order_id)
    assert completed.payment.refundable == order.total - eur("2.00")


# ----------------------------------------------------------------------------- disputes
def test_a_dispute_flags_the_order_and_asks_the_operator(world: World) -> None:
    order = world.order_in(S.COMPLETED)

    after = world.app.record_payment_news(dispute(order, "needs_response"))

    assert after.dispute is not None and not after.dispute.is_closed
    assert (after.dispute.dispute_id, after.dispute.reason) == ("dp_1", "fraudulent")
    assert world.last_event(PaymentDisputed).status == "needs_response"
    action = operator_action(after)
    assert action is not None and "dp_1" in action and "fraudulent" in action


def test_a_closed_dispute_records_its_outcome_and_is_final(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    world.app.record_payment_news(dispute(order, "needs_response"))

    closed = world.app.record_payment_news(dispute(order, "lost", "evt_d2"))
    late = world.app.record_payment_news(dispute(order, "needs_response"))  # a late redelivery

    assert closed.dispute is not None and closed.dispute.status == "lost"
    assert late.dispute is not None and late.dispute.status == "lost"
    assert operator_action(late) is None
    assert world.events_of(order.order_id).count("PaymentDisputed") == 2


# ----------------------------------------------------------------------------- lapses
def test_an_expired_authorization_fails_the_capture_without_asking_stripe(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)
    lapsed = world.app.record_payment_news(news(order, PaymentNewsKind.AUTHORIZATION_EXPIRED))
    assert world.last_event(AuthorizationExpired).provider_reference == order.payment.reference
    world.dispatched(order.order_id)

    with pytest.raises(PaymentCaptureFailed):
        world.capture(order.order_id)

    assert lapsed.payment.status is PaymentStatus.AUTHORIZED  # the void compensation ends it
    assert world.payments.calls_for(order.order_id, "capture") == []
    failed = world.compensate(order.order_id, "authorization expired")
    assert failed.status is S.FAILED


def test_a_lapse_of_a_hold_we_released_is_a_no_op(world: World) -> None:
    voided = world.order_in(S.PAYMENT_AUTHORIZED)
    world.void(voided.order_id)
    voided = world.get(voided.order_id)
    updates = world.orders.updates

    after = world.app.record_payment_news(news(voided, PaymentNewsKind.AUTHORIZATION_EXPIRED))

    assert after.payment.status is PaymentStatus.VOIDED
    assert world.orders.updates == updates


# ----------------------------------------------------------------------------- which order
def test_news_without_an_order_id_finds_its_order_at_the_provider(world: World) -> None:
    order = world.order_in(S.COMPLETED)

    after = world.app.record_payment_news(dispute(order, "needs_response", order_id=""))

    assert after.order_id == order.order_id and after.dispute is not None


def test_news_of_a_payment_the_order_does_not_have_is_refused(world: World) -> None:
    order = world.order_in(S.COMPLETED)
    other = world.order_in(S.COMPLETED)
    forged = RecordPaymentNews(
        "evt_x", PaymentNewsKind.REFUNDED, other.payment.reference, order.order_id, eur("1.00")
    )

    with pytest.raises(UnknownPayment):
        world.app.record_payment_news(forged)
    with pytest.raises(UnknownPayment):
        world.app.record_payment_news(
            RecordPaymentNews("evt_y", PaymentNewsKind.DISPUTE, "pi_unknown", amount=eur("1.00"))
        )
    with pytest.raises(OrderNotFound):
        world.app.record_payment_news(
            RecordPaymentNews("evt_z", PaymentNewsKind.REFUNDED, "pi_1", "no-such-order", eur("1"))
        )
    assert world.get(order.order_id).payment.refunded == eur("0.00")


def test_order_id_of_key_reads_only_authorization_keys() -> None:
    assert order_id_of_key("o-1:authorize") == "o-1"
    assert order_id_of_key("o-1:refund:r1") is None
    assert order_id_of_key(":authorize") is None
    assert order_id_of_key("o-1:authorize:x") is None
