"""Compensation RefundPayment: give back what was captured for goods the customer will not keep
(a parcel lost on its way). Idempotent; a no-op when nothing is owed."""

from __future__ import annotations

from domain.commands import RefundPayment
from domain.order import Order
from domain.services.compensations import refund_payment
from handlers.tasks._task import AppPorts, TaskInput, count, task_handler


def _refund(task: TaskInput, p: AppPorts) -> Order:
    order = refund_payment(
        RefundPayment(task.order_id), orders=p.orders, payments=p.payments, clock=p.clock
    )
    count("CompensationsRun", Compensation="RefundPayment")
    return order


handler = task_handler(TaskInput, _refund)
