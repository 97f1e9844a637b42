"""Capture at dispatch: the carrier has come for the parcel, the payment is captured, and only
then does the parcel leave (the capture releases it). A refused capture raises
``PaymentCaptureFailed`` before anything left: the workflow calls the parcel off.

With a task token, the step then waits for the carrier's next word (delivered or failed).
"""

from __future__ import annotations

from domain.commands import CapturePayment
from domain.order import Order
from domain.ports import Clock, OrderRepository, PaymentGateway, WorkflowGateway
from domain.services._saving import apply_and_save
from domain.services._signals import signal_workflow


def capture_payment(
    cmd: CapturePayment,
    *,
    orders: OrderRepository,
    payments: PaymentGateway,
    clock: Clock,
    workflow: WorkflowGateway | None = None,
) -> Order:
    order = orders.get(cmd.order_id)
    if order.needs_capture(clock.now()):
        payments.capture(f"{order.order_id}:capture", order.payment.reference, order.total)

    def record(o: Order) -> None:
        now = clock.now()
        o.capture_payment(now)
        if cmd.wait_token:
            o.await_carrier(cmd.wait_token, now)

    order = apply_and_save(orders, order, record)
    if workflow is not None and cmd.wait_token:
        signal_workflow(order, workflow)  # the carrier's news may already be in
    return order
