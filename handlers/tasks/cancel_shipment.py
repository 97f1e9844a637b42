"""Compensation CancelShipment: call off a booked parcel that has not left (idempotent)."""

from __future__ import annotations

from domain.commands import CancelShipment
from domain.order import Order
from domain.services.compensations import cancel_shipment
from handlers.tasks._task import AppPorts, TaskInput, count, task_handler


def _cancel(task: TaskInput, p: AppPorts) -> Order:
    order = cancel_shipment(
        CancelShipment(task.order_id), orders=p.orders, carrier=p.carrier, clock=p.clock
    )
    count("CompensationsRun", Compensation="CancelShipment")
    return order


handler = task_handler(TaskInput, _cancel)
