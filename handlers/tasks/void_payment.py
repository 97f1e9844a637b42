"""Compensation VoidPayment: release the payment's authorization (idempotent)."""

from __future__ import annotations

from domain.commands import VoidPayment
from domain.order import Order
from domain.services.compensations import void_payment
from handlers.tasks._task import AppPorts, TaskInput, count, task_handler


def _void(task: TaskInput, p: AppPorts) -> Order:
    order = void_payment(
        VoidPayment(task.order_id), orders=p.orders, payments=p.payments, clock=p.clock
    )
    count("CompensationsRun", Compensation="VoidPayment")
    return order


handler = task_handler(TaskInput, _void)
