"""Compensations the workflow runs when an order cannot finish. Each is safe to repeat, and
each also releases what the order never heard of: an authorization or a booking whose answer
was lost is found at the provider by its idempotency key."""

from __future__ import annotations

from domain.commands import CancelShipment, FailOrder, RefundPayment, VoidPayment
from domain.order import Order
from domain.order_payment import authorization_key
from domain.ports import Carrier, Clock, OrderRepository, PaymentGateway
from domain.services._saving import apply_and_save
from domain.status import PaymentStatus


def void_payment(
    cmd: VoidPayment, *, orders: OrderRepository, payments: PaymentGateway, clock: Clock
) -> Order:
    order = orders.get(cmd.order_id)
    reference = order.hold_to_release()
    if reference is None and order.may_hold_unseen():
        found = payments.find_authorization(authorization_key(order.order_id))
        if found is not None and found.status is PaymentStatus.AUTHORIZED:
            reference = found.reference
    if reference is None:
        return order
    payments.void(f"{order.order_id}:void", reference)
    held = reference
    return apply_and_save(orders, order, lambda o: o.void_payment(clock.now(), held))


def refund_payment(
    cmd: RefundPayment, *, orders: OrderRepository, payments: PaymentGateway, clock: Clock
) -> Order:
    order = orders.get(cmd.order_id)
    owed = order.owed_back()
    if not owed.is_positive:
        return order
    key = f"{order.order_id}:refund:undelivered"
    reference = payments.refund(key, order.payment.reference, owed)
    return apply_and_save(
        orders, order, lambda o: o.refund_undelivered(owed, reference, clock.now())
    )


def cancel_shipment(
    cmd: CancelShipment, *, orders: OrderRepository, carrier: Carrier, clock: Clock
) -> Order:
    order = orders.get(cmd.order_id)
    if order.shipment is None and order.may_hold_unseen_booking():
        found = carrier.find_booking(f"{order.order_id}:ship")
        if found is None:
            return order
        carrier.cancel(f"{order.order_id}:cancel-shipment", found.tracking_number)
        return apply_and_save(orders, order, lambda o: o.cancel_unseen_booking(found, clock.now()))
    if not order.can_call_off():
        return order
    assert order.shipment is not None  # noqa: S101  # can_call_off says so
    carrier.cancel(f"{order.order_id}:cancel-shipment", order.shipment.tracking_number)
    return apply_and_save(orders, order, lambda o: o.cancel_shipment(clock.now()))


def fail_order(cmd: FailOrder, *, orders: OrderRepository, clock: Clock) -> Order:
    order = orders.get(cmd.order_id)
    return apply_and_save(orders, order, lambda o: o.fail(cmd.reason, clock.now()))
