"""A customer cancels an order that has not left the warehouse."""

from __future__ import annotations

from domain.commands import CancelOrder
from domain.errors import CancellationRequested
from domain.order import Order
from domain.ports import Clock, OrderRepository, WorkflowGateway
from domain.services.queries import owned_order
from domain.status import OrderStatus


def cancel_order(
    cmd: CancelOrder, *, orders: OrderRepository, workflow: WorkflowGateway, clock: Clock
) -> Order:
    order = owned_order(orders, cmd.order_id, cmd.customer_id)
    order.cancel(cmd.reason, clock.now())
    orders.save(order)  # a lost race is the caller's ConcurrencyConflict: they read again
    if order.status is OrderStatus.CANCELLED and order.wait_token:
        # The workflow is waiting for the carrier: wake it so it compensates now.
        workflow.fail(order.wait_token, CancellationRequested.__name__, cmd.reason)
    return order
