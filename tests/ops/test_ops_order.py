"""``order``: the item, its outbox events and executions, written as the adapters write them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ops_stack import PERSONAL_VALUES, Stack

from adapters.aws.codec import event_to_outbox_item, order_to_item, to_attribute_values
from domain.money import Money
from domain.order import Order
from domain.values import Address, OrderLine

AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _save(stack: Stack, order_id: str) -> Order:
    order = Order.place(
        order_id=order_id,
        customer_id="cust-1",
        lines=(OrderLine("BOOK-001", 2, Money(Decimal("12.50"), "EUR")),),
        shipping_address=Address(
            name="Ada Lovelace",
            line1="12 Analytical St",
            city="London",
            postal_code="N1 9GU",
            country="GB",
        ),
        payment_token="tok_visa_4242",
        at=AT,
    )
    order.authorize_payment("pay_123", AT + timedelta(seconds=1))
    order.request_shipment("simship", "SIM-42", AT + timedelta(seconds=2))
    order.wait_token = "AAAAKgAAAAIAAAAAAAAAAfake-task-token-value"
    ddb = stack.client("dynamodb")
    for event in order.mark_persisted():
        ddb.put_item(
            TableName=stack.table,
            Item=to_attribute_values(event_to_outbox_item(event, expires_at=1)),
        )
    ddb.put_item(TableName=stack.table, Item=to_attribute_values(order_to_item(order)))
    return order


def test_an_order_tells_its_story(stack: Stack) -> None:
    _save(stack, "o-1")
    stack.settle(stack.start("o-1", "wait"), "waiting")
    code, out = stack.run("order", "o-1")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Order o-1  SHIPMENT_REQUESTED  version 3"
    assert "  lines     2 x BOOK-001 @ 12.50 EUR" in lines
    assert any(line.startswith("  payment   AUTHORIZED  25.00 EUR  ref pay_123") for line in lines)
    assert "  shipment  REQUESTED  simship  tracking SIM-42" in lines
    assert "  workflow  task token stored (see the executions below)" in lines
    events = lines[lines.index("Outbox events (3)") + 1 : lines.index("Workflow executions")]
    assert [e.split()[0] for e in events] == ["v1", "v2", "v3"]
    assert [e.split()[2] for e in events] == [
        "OrderPlaced",
        "PaymentAuthorized",
        "ShipmentRequested",
    ]
    assert lines[-1].startswith("  now: waiting for the carrier in RequestShipment since")


def test_an_order_never_shows_personal_data_or_the_task_token(stack: Stack) -> None:
    _save(stack, "o-1")
    for argv in (["order", "o-1"], ["order", "o-1", "--json"]):
        code, out = stack.run(*argv)
        assert code == 0
        for value in (*PERSONAL_VALUES, "fake-task-token-value"):
            assert value not in out
    data = json.loads(stack.run("order", "o-1", "--json")[1])
    order = data["order"]
    assert order["shippingAddress"] == "<redacted>" and order["paymentToken"] == "<redacted>"
    assert order["waitToken"] == "<task token held>"
    assert order["version"] == 3 and order["payment"]["amount"] == {
        "amount": "25.00",
        "currency": "EUR",
    }
    assert [e["SK"] for e in data["events"]] == [f"EVENT#{v:010d}" for v in (1, 2, 3)]
    assert data["executions"] == []


def test_an_order_with_only_an_execution_still_shows_it(stack: Stack) -> None:
    stack.settle(stack.start("o-2", "decline"))
    code, out = stack.run("order", "o-2")
    assert code == 0
    assert out.startswith("Order o-2: no order item")
    assert "  o-2  FAILED  started " in out and "PaymentDeclined" in out


def test_an_unknown_order_is_exit_1(stack: Stack) -> None:
    assert stack.run("order", "o-nobody") == (1, "")
