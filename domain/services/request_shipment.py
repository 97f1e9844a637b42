"""Book the parcel with the carrier and remember the workflow's token for its answer."""

from __future__ import annotations

from domain.commands import RequestShipment
from domain.errors import CancellationRequested, InvalidTransition
from domain.order import Order
from domain.ports import Carrier, Clock, OrderRepository, WorkflowGateway
from domain.services._saving import apply_and_save
from domain.services.record_carrier_update import signal_workflow
from domain.status import OrderStatus


def request_shipment(
    cmd: RequestShipment,
    *,
    orders: OrderRepository,
    carrier: Carrier,
    workflow: WorkflowGateway,
    clock: Clock,
) -> Order:
    order = orders.get(cmd.order_id)
    if order.status is OrderStatus.CANCELLED and order.shipment is None:
        raise CancellationRequested(order.order_id)
    if order.shipment is None:
        if order.status is not OrderStatus.PAYMENT_AUTHORIZED:  # only after payment: book nothing
            raise InvalidTransition(order.status.value, OrderStatus.SHIPMENT_REQUESTED.value)
        booking = carrier.book(
            f"{order.order_id}:ship", order.order_id, order.shipping_address, order.lines
        )

        def record(o: Order) -> None:
            now = clock.now()
            o.request_shipment(booking.carrier, booking.tracking_number, now)
            o.await_carrier(cmd.wait_token, now)

        order = apply_and_save(orders, order, record)
    else:
        order = apply_and_save(
            orders, order, lambda o: o.await_carrier(cmd.wait_token, clock.now())
        )
    if order.status is OrderStatus.CANCELLED:
        raise CancellationRequested(order.order_id)
    # A retried step gets a new token; if the carrier already answered the old one, answer it.
    signal_workflow(order, workflow)
    return order
