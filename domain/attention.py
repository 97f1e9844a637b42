"""What an operator must do for an order that asks for one: status NEEDS_ATTENTION, or an
open dispute of its payment.

For NEEDS_ATTENTION the saga waits on the order's task token meanwhile; the carrier's word ends
the wait, whoever puts it on the bus. A dispute is answered in the provider's dashboard; its
outcome arrives as an event. Shown by the operator CLI (``python -m infra.ops order <id>``).
"""

from __future__ import annotations

from domain.order import Order
from domain.status import OrderStatus


def operator_action(order: Order) -> str | None:
    actions = [a for a in (_carrier_action(order), _dispute_action(order)) if a]
    return "; and ".join(actions) or None


def _dispute_action(order: Order) -> str | None:
    dispute = order.dispute
    if dispute is None or dispute.is_closed:
        return None
    return (
        f"answer dispute {dispute.dispute_id} ({dispute.reason or 'no reason given'}, "
        f"{dispute.amount}, {dispute.status}) in the Stripe dashboard before its evidence is "
        "due; Stripe's charge.dispute.closed then records the outcome on the order"
    )


def _carrier_action(order: Order) -> str | None:
    if order.status is not OrderStatus.NEEDS_ATTENTION or order.shipment is None:
        return None
    parcel = order.shipment
    return (
        f"ask {parcel.carrier} what became of parcel {parcel.tracking_number}, then put its "
        "answer on the bus as the carrier would (source simship.carrier): ShipmentDelivered "
        "completes the order, ShipmentDeliveryFailed refunds the payment and fails the order"
    )
