"""Telling the waiting workflow step what the order now knows (see ``carrier_signal``)."""

from __future__ import annotations

from domain.errors import ShipmentFailed
from domain.order import Order
from domain.order_shipment import Signal
from domain.ports import WorkflowGateway


def signal_workflow(
    order: Order, workflow: WorkflowGateway, *, heard_dispatch: bool = False
) -> None:
    """Resume, fail or heartbeat the stored token, or say nothing. Safe to repeat: a token the
    workflow no longer waits for is ignored by the gateway."""
    signal = order.carrier_signal(heard_dispatch)
    if signal is Signal.RESUME:
        workflow.resume(order.wait_token, {"orderId": order.order_id, "status": order.status.value})
    elif signal is Signal.FAIL:
        tracking = order.shipment.tracking_number if order.shipment else ""
        workflow.fail(order.wait_token, ShipmentFailed.__name__, tracking)
    elif signal is Signal.HEARTBEAT:
        workflow.heartbeat(order.wait_token)
