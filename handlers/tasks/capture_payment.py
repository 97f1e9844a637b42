"""Task CapturePayment (``lambda:invoke.waitForTaskToken``): capture at dispatch, which releases
the parcel held at the dock; then wait for the carrier's word on this token.

PaymentCaptureFailed: the workflow calls the parcel off (it has not left) and voids the hold.
If the carrier had already delivered (its news overtook the capture), nothing can be called
off: that is counted as ``DeliveredUnpaid``, which pages.
"""

from __future__ import annotations

from domain.commands import CapturePayment
from domain.errors import PaymentCaptureFailed, ShipmentFailed
from domain.order import Order
from domain.services.capture_payment import capture_payment
from domain.status import ShipmentStatus
from handlers.tasks._task import AppPorts, CallbackTaskInput, count, task_handler


def count_if_delivered_unpaid(order_id: str, p: AppPorts) -> None:
    shipment = p.orders.get(order_id).shipment
    if shipment is not None and shipment.status is ShipmentStatus.DELIVERED:
        count("DeliveredUnpaid")


def _capture(task: CallbackTaskInput, p: AppPorts) -> Order:
    try:
        order = capture_payment(
            CapturePayment(task.order_id, wait_token=task.task_token),
            orders=p.orders,
            payments=p.payments,
            clock=p.clock,
            workflow=p.workflow,
        )
    except PaymentCaptureFailed:
        count_if_delivered_unpaid(task.order_id, p)
        raise
    count("PaymentsCaptured")
    return order


handler = task_handler(CallbackTaskInput, _capture, caught=(PaymentCaptureFailed, ShipmentFailed))
