"""Record what the payment provider tells us on its own (Stripe's events): a refund made in its
dashboard, a dispute, an authorization it let lapse.

The news must name a payment an order really has: the order named by our metadata, or the one
the provider says made the payment, and its payment reference must match (a forged or foreign
event changes nothing). Repeats are harmless: the order ignores news it already has.
"""

from __future__ import annotations

from domain.commands import PaymentNewsKind, RecordPaymentNews
from domain.errors import UnknownPayment
from domain.money import Money
from domain.order import Order
from domain.ports import Clock, OrderRepository, PaymentGateway
from domain.services._saving import apply_and_save
from domain.values import Dispute


def record_payment_news(
    cmd: RecordPaymentNews, *, orders: OrderRepository, payments: PaymentGateway, clock: Clock
) -> Order:
    order_id = cmd.order_id or payments.order_of(cmd.payment_reference)
    if not order_id:
        raise UnknownPayment(f"no order of ours made payment {cmd.payment_reference!r}")
    order = orders.get(order_id)
    if not cmd.payment_reference or order.payment.reference != cmd.payment_reference:
        raise UnknownPayment(f"order {order_id} has no payment {cmd.payment_reference!r}")

    def record(o: Order) -> None:
        now = clock.now()
        if cmd.kind is PaymentNewsKind.AUTHORIZATION_EXPIRED:
            o.record_authorization_lapse(now)
        elif cmd.kind is PaymentNewsKind.REFUNDED:
            reference = cmd.charge_reference or cmd.payment_reference
            o.record_provider_refund(cmd.event_id, _amount(cmd), reference, now)
        else:
            dispute = Dispute(cmd.dispute_id, cmd.status, cmd.reason, _amount(cmd), now)
            o.record_dispute(dispute)

    return apply_and_save(orders, order, record)


def _amount(cmd: RecordPaymentNews) -> Money:
    if cmd.amount is None:
        raise ValueError(f"{cmd.kind.value} news needs an amount")
    return cmd.amount
