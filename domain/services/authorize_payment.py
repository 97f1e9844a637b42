"""Authorize the order's payment with the provider (the first step of the workflow)."""

from __future__ import annotations

from domain.commands import AuthorizePayment
from domain.errors import CancellationRequested, InvalidTransition, PaymentDeclined
from domain.order import Order
from domain.ports import Clock, OrderRepository, PaymentGateway
from domain.services._saving import apply_and_save
from domain.status import OrderStatus
from domain.values import PaymentStatus


def authorize_payment(
    cmd: AuthorizePayment, *, orders: OrderRepository, payments: PaymentGateway, clock: Clock
) -> Order:
    order = orders.get(cmd.order_id)
    if order.status is OrderStatus.PAYMENT_FAILED:
        raise PaymentDeclined(order.reason)
    if order.status is OrderStatus.CANCELLED and order.payment.status is PaymentStatus.PENDING:
        raise CancellationRequested(order.order_id)
    if order.payment.status is PaymentStatus.PENDING:
        if order.status is not OrderStatus.PLACED:  # FAILED: the saga gave up, move no money
            raise InvalidTransition(order.status.value, OrderStatus.PAYMENT_AUTHORIZED.value)
        try:
            reference = payments.authorize(
                f"{order.order_id}:authorize", order.total, order.payment_token
            )
        except PaymentDeclined as declined:
            reason = declined.reason

            def decline(o: Order) -> None:
                if o.status is not OrderStatus.CANCELLED:  # else a cancellation won the race
                    o.decline_payment(reason, clock.now())

            order = apply_and_save(orders, order, decline)
            if order.status is OrderStatus.CANCELLED:
                raise CancellationRequested(order.order_id) from declined
            raise
        order = apply_and_save(orders, order, lambda o: o.authorize_payment(reference, clock.now()))
    if order.status is OrderStatus.CANCELLED:
        raise CancellationRequested(order.order_id)
    return order
