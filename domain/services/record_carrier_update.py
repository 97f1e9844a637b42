"""Record what the carrier reports and move the waiting workflow on.

Duplicates and out-of-order reports are harmless: the order ignores news it already has,
and the workflow is signalled only as the order decides (``Order.carrier_signal``).
"""

from __future__ import annotations

from domain.commands import CarrierUpdateKind, RecordCarrierUpdate
from domain.errors import UnknownShipment
from domain.order import Order
from domain.ports import Clock, OrderRepository, WorkflowGateway
from domain.services._saving import apply_and_save
from domain.services._signals import signal_workflow


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
    signal_workflow(order, workflow, heard_dispatch=cmd.kind is CarrierUpdateKind.DISPATCHED)
    return order
