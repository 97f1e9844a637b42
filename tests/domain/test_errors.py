"""Every domain error class is raised by some use case (the workflow and the API match on
their names), and each carries what its handler needs. A new error class fails
``test_every_error_class_has_a_scenario`` until a scenario raising it is added here."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest

from domain import errors
from domain.commands import CarrierUpdateKind, PaymentNewsKind, RecordPaymentNews
from domain.errors import DomainError
from domain.order import Order
from domain.status import OrderStatus
from tests.domain.support import ANTARCTICA, BOB, FLAKY, World, eur, items

S = OrderStatus


def _stale_save(w: World) -> object:
    order = w.place()
    stale = w.get(order.order_id)
    w.cancel(order.order_id)
    stale.cancel("again", w.now())
    w.orders.save(stale)
    return None


def _reused_key(w: World) -> object:
    w.place(key="k")
    return w.place(key="k", token="tok_other")


def _taken_id(w: World) -> object:
    order = w.place()
    twin = Order.place(
        order_id=order.order_id,
        customer_id=BOB,
        lines=order.lines,
        shipping_address=order.shipping_address,
        payment_token="t",
        at=w.now(),
    )
    w.orders.add(twin)
    return None


def _shipment_failed(w: World) -> object:
    """Never raised in Python: its name is the error the carrier wait fails with."""
    order = w.order_in(S.SHIPPED)
    w.carrier_update(order.order_id, CarrierUpdateKind.FAILED)
    kind, _, error = w.workflow.signals[-1]
    if (kind, error) == ("fail", errors.ShipmentFailed.__name__):
        raise errors.ShipmentFailed("signalled to the workflow")
    return None


def _refund_news_too_early(w: World) -> object:
    order = w.order_in(S.SHIPMENT_REQUESTED)  # not captured yet, as far as the order knows
    news = RecordPaymentNews(
        "evt_1", PaymentNewsKind.REFUNDED, order.payment.reference, order.order_id, eur("1.00")
    )
    return w.app.record_payment_news(news)


SCENARIOS: dict[type[DomainError], Callable[[World], object]] = {
    errors.InvalidOrder: lambda w: w.place(lines=()),
    errors.UnknownSku: lambda w: w.place(lines=items(("NOPE", 1))),
    errors.OutOfStock: lambda w: w.place(lines=items(("GONE-999", 1))),
    errors.OrderNotFound: lambda w: w.cancel(w.place().order_id, customer=BOB),
    errors.OrderAlreadyExists: _taken_id,
    errors.UnknownShipment: lambda w: w.carrier_update(
        w.order_in(S.SHIPPED).order_id, CarrierUpdateKind.DELIVERED, "TRK-X"
    ),
    errors.IdempotencyKeyReused: _reused_key,
    errors.InvalidTransition: lambda w: w.cancel(w.order_in(S.SHIPPED).order_id),
    errors.ConcurrencyConflict: _stale_save,
    errors.CancellationRequested: lambda w: w.authorize(w.order_in(S.CANCELLED).order_id),
    errors.PaymentDeclined: lambda w: w.authorize(w.place(token="tok_decline").order_id),
    errors.PaymentProviderUnavailable: lambda w: w.authorize(w.place(token="tok_flaky").order_id),
    errors.PaymentCaptureFailed: lambda w: w.complete(
        w.order_in(S.DELIVERED, token="tok_nocapture").order_id
    ),
    errors.RefundNotAllowed: lambda w: w.refund(w.order_in(S.COMPLETED).order_id, eur("999")),
    errors.AddressNotServiceable: lambda w: w.ship(
        w.order_in(S.PAYMENT_AUTHORIZED, address=ANTARCTICA).order_id
    ),
    errors.CarrierUnavailable: lambda w: w.ship(
        w.order_in(S.PAYMENT_AUTHORIZED, address=FLAKY).order_id
    ),
    errors.ShipmentFailed: _shipment_failed,
    errors.InvalidCursor: lambda w: w.orders.list_for_customer(BOB, 10, "not a cursor"),
    errors.UnknownPayment: lambda w: w.app.record_payment_news(
        RecordPaymentNews("evt_1", PaymentNewsKind.DISPUTE, "pi_nobody", amount=eur("1.00"))
    ),
    errors.PaymentNewsTooEarly: lambda w: _refund_news_too_early(w),
}

TRANSIENT = {
    errors.ConcurrencyConflict,
    errors.PaymentProviderUnavailable,
    errors.CarrierUnavailable,
    errors.PaymentNewsTooEarly,
}


def _error_classes() -> set[type[DomainError]]:
    return {
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, DomainError) and cls is not DomainError
    }


def test_every_error_class_has_a_scenario() -> None:
    assert set(SCENARIOS) == _error_classes()


@pytest.mark.parametrize("error", list(SCENARIOS), ids=lambda cls: cls.__name__)
def test_the_error_is_raised(world: World, error: type[DomainError]) -> None:
    with pytest.raises(error) as raised:
        SCENARIOS[error](world)
    assert type(raised.value) is error
    assert raised.value.message == str(raised.value)
    assert raised.value.transient is (error in TRANSIENT)


def test_no_error_message_carries_personal_data() -> None:
    """Messages reach logs and API answers: no names, addresses or card tokens in them."""
    secrets = ("Ada Lovelace", "St James", "tok_decline", "tok_nocapture", "tok_flaky")
    for error, scenario in SCENARIOS.items():
        with pytest.raises(error) as raised:
            scenario(World())
        assert not any(s in str(raised.value) for s in secrets), error.__name__
