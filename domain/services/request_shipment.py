"""Book the parcel with the carrier and remember the workflow's token: the step waits until
the carrier comes for it (its dispatch report), which starts the capture."""

from __future__ import annotations

from domain.commands import RequestShipment
from domain.order import Order
from domain.ports import Carrier, Clock, OrderRepository, WorkflowGateway
from domain.services._saving import apply_and_save
from domain.services._signals import signal_workflow


def request_shipment(
    cmd: RequestShipment,
    *,
    orders: OrderRepository,
    carrier: Carrier,
    workflow: WorkflowGateway,
    clock: Clock,
) -> Order:
    order = orders.get(cmd.order_id)
    if order.needs_booking():
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
    order.raise_if_cancelled()
    # A retried step gets a new token; if the carrier already answered the old one, answer it.
    signal_workflow(order, workflow)
    return order
