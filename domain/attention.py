"""What an operator must do for an order that asks for one (status NEEDS_ATTENTION).

The saga waits on the order's task token meanwhile; the carrier's word ends the wait, whoever
puts it on the bus. Shown by the operator CLI (``python -m infra.ops order <id>``).
"""

from __future__ import annotations

from domain.order import Order
from domain.status import OrderStatus


def operator_action(order: Order) -> str | None:
    if order.status is not OrderStatus.NEEDS_ATTENTION or order.shipment is None:
        return None
    parcel = order.shipment
    return (
        f"ask {parcel.carrier} what became of parcel {parcel.tracking_number}, then put its "
        "answer on the bus as the carrier would (source simship.carrier): ShipmentDelivered "
        "completes the order, ShipmentDeliveryFailed refunds the payment and fails the order"
    )
