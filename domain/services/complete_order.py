"""Capture the payment of a delivered order, then complete it.

Capturing on delivery means a cancelled or lost parcel only ever needs a void, never a refund.
"""

from __future__ import annotations

from domain.commands import CapturePayment, CompleteOrder
from domain.order import Order
from domain.ports import Clock, OrderRepository, PaymentGateway
from domain.services._saving import apply_and_save
from domain.values import PaymentStatus


def capture_payment(
    cmd: CapturePayment, *, orders: OrderRepository, payments: PaymentGateway, clock: Clock
) -> Order:
    order = orders.get(cmd.order_id)
    if order.payment.status is PaymentStatus.CAPTURED:
        return order
    order.check_capture()
    payments.capture(f"{order.order_id}:capture", order.payment.reference, order.total)
    return apply_and_save(orders, order, lambda o: o.capture_payment(clock.now()))


def complete_order(
    cmd: CompleteOrder, *, orders: OrderRepository, payments: PaymentGateway, clock: Clock
) -> Order:
    capture_payment(CapturePayment(cmd.order_id), orders=orders, payments=payments, clock=clock)
    order = orders.get(cmd.order_id)
    return apply_and_save(orders, order, lambda o: o.complete(clock.now()))
