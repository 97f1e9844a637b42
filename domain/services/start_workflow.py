"""Start an order's workflow; the execution is named by the order id, so a repeat is harmless."""

from __future__ import annotations

from domain.commands import StartOrderWorkflow
from domain.order import Order
from domain.ports import OrderRepository, WorkflowGateway
from domain.status import OrderStatus


def start_order_workflow(
    cmd: StartOrderWorkflow, *, orders: OrderRepository, workflow: WorkflowGateway
) -> Order:
    order = orders.get(cmd.order_id)
    if order.status is OrderStatus.PLACED:
        workflow.start(order.order_id, {"orderId": order.order_id})
    return order
