"""Refund all or part of what was captured. Never more than was captured, never twice.

The refund is first claimed on the order (a conditional write), then paid by the provider,
then recorded. Two concurrent refunds cannot both pass the check against the same refundable
amount: the second claim loses the race. A claim left behind by a crash is finished by the
next refund request, with the same provider idempotency key, so nothing is paid twice.
"""

from __future__ import annotations

from domain.commands import RefundOrder
from domain.errors import IdempotencyKeyReused
from domain.order import Order
from domain.ports import Clock, OrderRepository, PaymentGateway
from domain.services._saving import apply_and_save
from domain.services.queries import owned_order
from domain.values import Refund


def refund_order(
    cmd: RefundOrder, *, orders: OrderRepository, payments: PaymentGateway, clock: Clock
) -> Order:
    order = owned_order(orders, cmd.order_id, cmd.customer_id)
    done = order.refund_for(cmd.refund_id)
    if done is not None:
        if cmd.amount is not None and cmd.amount != done.amount:
            raise IdempotencyKeyReused()  # the same key asking for another refund
        return order
    stuck = order.pending_refund
    if stuck is not None and stuck.refund_id != cmd.refund_id:
        order = _pay(order, stuck, orders=orders, payments=payments, clock=clock)
    amount = cmd.amount if cmd.amount is not None else order.payment.refundable
    order.reserve_refund(cmd.refund_id, amount, cmd.reason, clock.now())
    orders.save(order)  # the claim: a concurrent refund fails here with ConcurrencyConflict
    assert order.pending_refund is not None  # noqa: S101  # just claimed or already ours
    return _pay(order, order.pending_refund, orders=orders, payments=payments, clock=clock)


def _pay(
    order: Order, claim: Refund, *, orders: OrderRepository, payments: PaymentGateway, clock: Clock
) -> Order:
    reference = payments.refund(
        f"{order.order_id}:refund:{claim.refund_id}", order.payment.reference, claim.amount
    )
    return apply_and_save(
        orders,
        order,
        lambda o: o.refund(claim.refund_id, claim.amount, claim.reason, reference, clock.now()),
    )
