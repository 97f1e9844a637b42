"""Task AuthorizePayment: authorize the order's payment (the saga's first step)."""

from __future__ import annotations

from domain.commands import AuthorizePayment
from domain.errors import CancellationRequested, PaymentDeclined
from domain.order import Order
from domain.services.authorize_payment import authorize_payment
from handlers.tasks._task import AppPorts, TaskInput, count, task_handler


def _authorize(task: TaskInput, p: AppPorts) -> Order:
    """PaymentDeclined: the order is PAYMENT_FAILED, the workflow ends there."""
    try:
        order = authorize_payment(
            AuthorizePayment(task.order_id), orders=p.orders, payments=p.payments, clock=p.clock
        )
    except PaymentDeclined:
        count("PaymentsDeclined")
        raise
    count("PaymentsAuthorized")
    return order


handler = task_handler(TaskInput, _authorize, caught=(PaymentDeclined, CancellationRequested))
