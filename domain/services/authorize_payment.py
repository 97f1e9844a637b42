"""Authorize the order's payment with the provider (the first step of the workflow)."""

from __future__ import annotations

from domain.commands import AuthorizePayment
from domain.errors import PaymentDeclined
from domain.order import Order
from domain.order_payment import authorization_key
from domain.ports import Clock, OrderRepository, PaymentGateway
from domain.services._saving import apply_and_save


def authorize_payment(
    cmd: AuthorizePayment, *, orders: OrderRepository, payments: PaymentGateway, clock: Clock
) -> Order:
    order = orders.get(cmd.order_id)
    if order.needs_authorization():
        key = authorization_key(order.order_id)
        try:
            reference = payments.authorize(key, order.total, order.payment_token)
        except PaymentDeclined as declined:
            reason = declined.reason
            order = apply_and_save(orders, order, lambda o: o.decline_payment(reason, clock.now()))
            order.raise_if_cancelled()  # a cancellation won the race: nothing was declined
            raise
        order = apply_and_save(orders, order, lambda o: o.authorize_payment(reference, clock.now()))
    order.raise_if_cancelled()
    return order
