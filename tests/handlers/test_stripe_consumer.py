"""Stripe's events from EventBridge recorded on the order: each type we act on, repeats,
types we ignore (counted), events we refuse (counted), transient failures (raised)."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from domain.errors import ConcurrencyConflict
from domain.order import Order
from domain.status import OrderStatus, PaymentStatus
from handlers import event_catalog, stripe_consumer
from handlers.stripe_events import MODELS
from tests.domain.support import World, eur
from tests.handlers.fakes import FakeLambdaContext

S = OrderStatus
Metrics = Callable[[], dict[str, float]]
PARTNER = "aws.partner/stripe.com/ed_test_61Rz4ZxYwVuTsRqP"


def stripe_event(
    detail_type: str, order: Order, event_id: str = "evt_1", **fields: Any
) -> dict[str, Any]:
    """The catalog's example of ``detail_type``, about ``order``'s payment."""
    (contract,) = [c for c in event_catalog.CONTRACTS if c.detail_type == detail_type]
    event = copy.deepcopy(event_catalog.example(contract))
    obj = event["detail"]["data"]["object"]
    event["detail"]["id"] = event_id
    if obj["object"] == "payment_intent":
        obj["id"] = order.payment.reference
    else:
        obj["payment_intent"] = order.payment.reference
    if "metadata" in obj and obj["object"] != "dispute":
        obj["metadata"] = {"orderflow_order_id": order.order_id}
    obj.update(fields)
    return event


def run(event: dict[str, Any]) -> dict[str, Any]:
    return stripe_consumer.handler(event, FakeLambdaContext())


def stripe_reference(world: World, order: Order) -> Order:
    """Give the simulated payment a Stripe-shaped reference (``pi_...``, as the Stripe adapter's
    are): the order and the provider's record of which key made it both know it by that name."""
    stored = world.orders.peek()[order.order_id]
    reference = "pi_" + stored.payment.reference.split("_")[1]
    world.payments.results[f"auth:{reference}"] = world.payments.results[
        f"auth:{stored.payment.reference}"
    ]
    stored.payment = replace(stored.payment, reference=reference)
    return world.get(order.order_id)


@pytest.fixture
def paid(world: World) -> Order:
    return stripe_reference(world, world.order_in(S.COMPLETED))


def test_a_dashboard_refund_is_recorded_once(world: World, paid: Order) -> None:
    event = stripe_event("charge.refunded", paid, amount_refunded=1000)

    first = run(event)
    again = run(event)

    assert (
        first
        == again
        == {"status": "recorded", "orderId": paid.order_id, "orderStatus": "PARTIALLY_REFUNDED"}
    )
    order = world.get(paid.order_id)
    assert order.payment.refunded == eur("10.00")
    assert [r.refund_id for r in order.refunds] == ["evt_1"]
    assert world.events_of(paid.order_id).count("RefundIssued") == 1


def test_from_the_partner_bus_too(world: World, paid: Order) -> None:
    event = {**stripe_event("charge.refunded", paid, amount_refunded=500), "source": PARTNER}

    assert run(event)["status"] == "recorded"
    assert world.get(paid.order_id).payment.refunded == eur("5.00")


def test_a_dispute_is_flagged_then_closed(world: World, paid: Order) -> None:
    run(stripe_event("charge.dispute.created", paid, "evt_d1", amount=2000))
    opened = world.get(paid.order_id).dispute
    run(stripe_event("charge.dispute.closed", paid, "evt_d2", amount=2000, status="won"))
    closed = world.get(paid.order_id).dispute

    assert opened is not None and (opened.status, opened.amount) == ("needs_response", eur("20.00"))
    assert closed is not None and closed.status == "won" and closed.reason == "fraudulent"
    assert world.events_of(paid.order_id).count("PaymentDisputed") == 2


def test_an_expired_authorization_is_recorded_and_our_own_void_is_not(world: World) -> None:
    held = stripe_reference(world, world.order_in(S.SHIPMENT_REQUESTED))

    ours = run(stripe_event("payment_intent.canceled", held, cancellation_reason=None))
    lapsed = run(stripe_event("payment_intent.canceled", held, "evt_2"))

    assert ours == {"status": "no news"}
    assert lapsed["status"] == "recorded"
    assert world.events_of(held.order_id)[-1] == "AuthorizationExpired"
    assert world.get(held.order_id).payment.status is PaymentStatus.AUTHORIZED


@pytest.mark.parametrize("detail_type", ["charge.succeeded", "invoice.paid", "customer.created"])
def test_types_we_do_not_act_on_are_ignored_and_counted(
    world: World, paid: Order, emitted_metrics: Metrics, detail_type: str
) -> None:
    event = stripe_event("charge.refunded", paid)
    event["detail-type"] = event["detail"]["type"] = detail_type

    assert run(event) == {"status": "ignored"}
    assert emitted_metrics()["StripeEventsIgnored"] == 1
    assert world.get(paid.order_id).payment.refunded == eur("0.00")


def test_an_event_for_an_unknown_order_is_dropped_and_counted(
    world: World, paid: Order, emitted_metrics: Metrics, logs: io.StringIO
) -> None:
    unknown = stripe_event(
        "charge.refunded", paid, metadata={"orderflow_order_id": "no-such-order"}
    )
    foreign = stripe_event("charge.dispute.created", paid, payment_intent="pi_someoneelse123")

    assert run(unknown) == run(foreign) == {"status": "rejected"}
    assert emitted_metrics()["UpstreamEventsRejected"] == 2
    assert "OrderNotFound" in logs.getvalue() and "UnknownPayment" in logs.getvalue()


@pytest.mark.parametrize(
    "change",
    [
        {"source": "evil.forger"},
        {"detail": {"id": "evt_1", "object": "event", "type": "charge.refunded"}},
        {"detail": "not an object"},
    ],
    ids=["forged source", "no data", "detail not an object"],
)
def test_unreadable_events_are_dropped_and_counted(
    world: World, paid: Order, emitted_metrics: Metrics, change: dict[str, Any]
) -> None:
    event = {**stripe_event("charge.refunded", paid), **change}

    assert run(event) == {"status": "rejected"}
    assert emitted_metrics()["UpstreamEventsRejected"] == 1


def test_a_transient_error_raises_so_the_event_is_retried(
    world: World, paid: Order, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lost_race(*_: Any, **__: Any) -> None:
        raise ConcurrencyConflict(paid.order_id)

    monkeypatch.setattr(world.app, "record_payment_news", lost_race)

    with pytest.raises(ConcurrencyConflict):
        run(stripe_event("charge.refunded", paid))


def test_every_model_is_a_type_the_consumer_acts_on() -> None:
    assert set(MODELS) == {
        "charge.refunded",
        "charge.dispute.created",
        "charge.dispute.closed",
        "payment_intent.canceled",
    }
