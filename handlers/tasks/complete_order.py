"""Task CompleteOrder: capture the payment of the delivered order, then complete it."""

from __future__ import annotations

from domain.commands import CompleteOrder
from domain.order import Order
from domain.services.complete_order import complete_order
from handlers.tasks._task import AppPorts, TaskInput, count, task_handler


def _complete(task: TaskInput, p: AppPorts) -> Order:
    """PaymentCaptureFailed: the workflow voids the authorization and fails the order."""
    order = complete_order(
        CompleteOrder(task.order_id), orders=p.orders, payments=p.payments, clock=p.clock
    )
    count("OrdersCompleted")
    return order


handler = task_handler(TaskInput, _complete)
