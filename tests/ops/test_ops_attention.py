"""``order``: an order that asks an operator shows the action to take."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ops_stack import PERSONAL_VALUES, Stack

from adapters.aws.codec import order_to_item, to_attribute_values
from domain.money import Money
from domain.order import Order
from domain.values import Address, Dispute, OrderLine

AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _silent_carrier(stack: Stack, order_id: str) -> Order:
    order = Order.place(
        order_id=order_id,
        customer_id="cust-1",
        lines=(OrderLine("BOOK-001", 2, Money(Decimal("12.50"), "EUR")),),
        shipping_address=Address("Ada Lovelace", "12 Analytical St", "London", "N1 9GU", "GB"),
        payment_token="tok_visa_4242",
        at=AT,
    )
    steps = (
        lambda at: order.authorize_payment("pay_123", at),
        lambda at: order.request_shipment("SimShip", "TRK0123456789AB", at),
        order.record_dispatch,
        order.capture_payment,
        order.ask_operator,
    )
    for i, step in enumerate(steps, start=1):
        step(AT + timedelta(hours=i))
    item = to_attribute_values(order_to_item(order))
    stack.client("dynamodb").put_item(TableName=stack.table, Item=item)
    return order


def test_an_order_that_asks_an_operator_shows_the_action(stack: Stack) -> None:
    _silent_carrier(stack, "o-9")
    code, out = stack.run("order", "o-9")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Order o-9  NEEDS_ATTENTION  version 6"
    [action] = [line for line in lines if line.startswith("  ACTION    ")]
    assert "ask SimShip what became of parcel TRK0123456789AB" in action
    assert "ShipmentDelivered" in action and "ShipmentDeliveryFailed" in action
    data = json.loads(stack.run("order", "o-9", "--json")[1])
    assert data["action"] == action.removeprefix("  ACTION    ")
    for value in PERSONAL_VALUES:
        assert value not in out


def test_other_orders_show_no_action(stack: Stack) -> None:
    order = _silent_carrier(stack, "o-10")
    order.record_delivery(AT + timedelta(days=2))
    item = to_attribute_values(order_to_item(order))
    stack.client("dynamodb").put_item(TableName=stack.table, Item=item)
    code, out = stack.run("order", "o-10")
    assert code == 0 and "ACTION" not in out
    assert json.loads(stack.run("order", "o-10", "--json")[1])["action"] is None


def test_a_disputed_order_shows_the_dispute_and_the_action_until_it_closes(stack: Stack) -> None:
    order = _silent_carrier(stack, "o-11")
    order.record_delivery(AT + timedelta(days=2))
    order.record_dispute(
        Dispute("dp_1QzYx", "needs_response", "fraudulent", order.total, AT + timedelta(days=9))
    )
    stack.client("dynamodb").put_item(
        TableName=stack.table, Item=to_attribute_values(order_to_item(order))
    )

    code, out = stack.run("order", "o-11")

    assert code == 0
    assert "  dispute   dp_1QzYx  needs_response  fraudulent  25.00 EUR" in out
    [action] = [line for line in out.splitlines() if line.startswith("  ACTION    ")]
    assert "answer dispute dp_1QzYx" in action and "Stripe dashboard" in action
    order.record_dispute(
        Dispute("dp_1QzYx", "won", "fraudulent", order.total, AT + timedelta(days=30))
    )
    stack.client("dynamodb").put_item(
        TableName=stack.table, Item=to_attribute_values(order_to_item(order))
    )
    code, out = stack.run("order", "o-11")
    assert "  dispute   dp_1QzYx  won" in out and "ACTION" not in out
