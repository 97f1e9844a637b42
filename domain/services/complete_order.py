"""Complete a delivered order. Its payment was captured at dispatch; if the carrier's news of
delivery overtook that, the capture happens here, before the order completes."""

from __future__ import annotations

from domain.commands import CapturePayment, CompleteOrder
from domain.order import Order
from domain.ports import Clock, OrderRepository, PaymentGateway
from domain.services._saving import apply_and_save
from domain.services.capture_payment import capture_payment


def complete_order(
    cmd: CompleteOrder, *, orders: OrderRepository, payments: PaymentGateway, clock: Clock
) -> Order:
    order = capture_payment(
        CapturePayment(cmd.order_id), orders=orders, payments=payments, clock=clock
    )
    return apply_and_save(orders, order, lambda o: o.complete(clock.now()))
