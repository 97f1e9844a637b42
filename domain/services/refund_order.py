"""Refund all or part of what was captured. Never more than was captured, never twice."""

from __future__ import annotations

from domain.commands import RefundOrder
from domain.order import Order
from domain.ports import Clock, OrderRepository, PaymentGateway
from domain.services._saving import apply_and_save
from domain.services.queries import owned_order


def refund_order(
    cmd: RefundOrder, *, orders: OrderRepository, payments: PaymentGateway, clock: Clock
) -> Order:
    order = owned_order(orders, cmd.order_id, cmd.customer_id)
    if order.refund_for(cmd.refund_id) is not None:
        return order
    amount = cmd.amount if cmd.amount is not None else order.payment.refundable
    order.check_refund(amount)
    reference = payments.refund(
        f"{order.order_id}:refund:{cmd.refund_id}", order.payment.reference, amount
    )
    return apply_and_save(
        orders,
        order,
        lambda o: o.refund(cmd.refund_id, amount, cmd.reason, reference, clock.now()),
    )
