"""Record what the carrier reports and move the waiting workflow on.

Duplicates and out-of-order reports are harmless: the order ignores news it already has,
and the workflow is signalled again only while it may still be waiting.
"""

from __future__ import annotations

from domain.commands import CarrierUpdateKind, RecordCarrierUpdate
from domain.errors import ShipmentFailed, UnknownShipment
from domain.order import Order
from domain.ports import Clock, OrderRepository, WorkflowGateway
from domain.services._saving import apply_and_save
from domain.status import OrderStatus
from domain.values import ShipmentStatus


def record_carrier_update(
    cmd: RecordCarrierUpdate, *, orders: OrderRepository, workflow: WorkflowGateway, clock: Clock
) -> Order:
    order = orders.get(cmd.order_id)
    if order.shipment is None or order.shipment.tracking_number != cmd.tracking_number:
        raise UnknownShipment(f"order {cmd.order_id} has no parcel {cmd.tracking_number!r}")

    def record(o: Order) -> None:
        now = clock.now()
        if cmd.kind is CarrierUpdateKind.DISPATCHED:
            o.record_dispatch(now)
        elif cmd.kind is CarrierUpdateKind.DELIVERED:
            o.record_delivery(now)
        else:
            o.record_delivery_failure(cmd.reason or "reported by the carrier", now)

    order = apply_and_save(orders, order, record)
    if cmd.kind is CarrierUpdateKind.DISPATCHED and order.status is OrderStatus.SHIPPED:
        if order.wait_token:
            workflow.heartbeat(order.wait_token)
    else:
        signal_workflow(order, workflow)
    return order


def signal_workflow(order: Order, workflow: WorkflowGateway) -> None:
    """Resume the carrier wait if the carrier's final word is in and the order still waits."""
    if not order.wait_token or order.shipment is None:
        return
    if order.status is OrderStatus.DELIVERED:
        workflow.resume(order.wait_token, {"orderId": order.order_id, "delivered": True})
    elif order.shipment.status is ShipmentStatus.FAILED and order.status is not OrderStatus.FAILED:
        workflow.fail(order.wait_token, ShipmentFailed.__name__, order.shipment.tracking_number)
