"""Compensations the workflow runs when an order cannot finish. Each is safe to repeat."""

from __future__ import annotations

from domain.commands import CancelShipment, FailOrder, VoidPayment
from domain.order import Order
from domain.ports import Carrier, Clock, OrderRepository, PaymentGateway
from domain.services._saving import apply_and_save
from domain.values import PaymentStatus, ShipmentStatus


def void_payment(
    cmd: VoidPayment, *, orders: OrderRepository, payments: PaymentGateway, clock: Clock
) -> Order:
    order = orders.get(cmd.order_id)
    if order.payment.status is not PaymentStatus.AUTHORIZED:
        return order
    payments.void(f"{order.order_id}:void", order.payment.reference)
    return apply_and_save(orders, order, lambda o: o.void_payment(clock.now()))


def cancel_shipment(
    cmd: CancelShipment, *, orders: OrderRepository, carrier: Carrier, clock: Clock
) -> Order:
    order = orders.get(cmd.order_id)
    if order.shipment is None or order.shipment.status is not ShipmentStatus.REQUESTED:
        return order
    carrier.cancel(f"{order.order_id}:cancel-shipment", order.shipment.tracking_number)
    return apply_and_save(orders, order, lambda o: o.cancel_shipment(clock.now()))


def fail_order(cmd: FailOrder, *, orders: OrderRepository, clock: Clock) -> Order:
    order = orders.get(cmd.order_id)
    return apply_and_save(orders, order, lambda o: o.fail(cmd.reason, clock.now()))
