"""Task CompleteOrder: complete the delivered order (capturing first if the news of delivery
overtook the capture at dispatch)."""

from __future__ import annotations

from domain.commands import CompleteOrder
from domain.errors import PaymentCaptureFailed
from domain.order import Order
from domain.services.complete_order import complete_order
from handlers.tasks._task import AppPorts, TaskInput, count, task_handler
from handlers.tasks.capture_payment import count_if_delivered_unpaid


def _complete(task: TaskInput, p: AppPorts) -> Order:
    """PaymentCaptureFailed: the workflow voids the authorization and fails the order."""
    try:
        order = complete_order(
            CompleteOrder(task.order_id), orders=p.orders, payments=p.payments, clock=p.clock
        )
    except PaymentCaptureFailed:
        count_if_delivered_unpaid(task.order_id, p)
        raise
    count("OrdersCompleted")
    return order


handler = task_handler(TaskInput, _complete, caught=(PaymentCaptureFailed,))
