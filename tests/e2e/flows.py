"""What the scenarios do over and over: place an order, wait for a status, act as the carrier."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx

from tests.e2e.targets import Target

ORDER_TIMEOUT = 60.0
"""Bound on an order's whole saga (a few seconds locally; generous for a loaded CI box)."""


def order_body(payment_token: str = "tok_visa", city: str = "Springfield") -> dict[str, Any]:
    return {
        "items": [{"sku": "BOOK-001", "quantity": 2}, {"sku": "MUG-002", "quantity": 1}],
        "paymentToken": payment_token,
        "shippingAddress": {
            "name": "E2E Tester",
            "line1": "1 Test Street",
            "city": city,
            "postalCode": "12345",
            "country": "GB",
        },
    }


def place(api: httpx.Client, body: dict[str, Any], key: str | None = None) -> httpx.Response:
    return api.post("/orders", json=body, headers={"Idempotency-Key": key or str(uuid.uuid4())})


def wait_for(
    api: httpx.Client, order_id: str, *statuses: str, timeout: float = ORDER_TIMEOUT
) -> dict[str, Any]:
    """Poll GET /orders/{id} until the order reaches one of ``statuses`` (bounded)."""
    deadline = time.monotonic() + timeout
    seen: dict[str, Any] = {}
    while time.monotonic() < deadline:
        answer = api.get(f"/orders/{order_id}")
        assert answer.status_code == 200, answer.text
        seen = answer.json()
        if seen["status"] in statuses:
            return seen
        time.sleep(0.2)
    raise AssertionError(
        f"order {order_id} still {seen.get('status')} after {timeout} s, expected one of {statuses}"
    )


def carrier_says(target: Target, detail_type: str, order: dict[str, Any]) -> None:
    """Publish a carrier event (source simship.carrier) to the bus, as the carrier would."""
    tracking = order["shipment"]["trackingNumber"]
    detail = {
        "orderId": order["orderId"],
        "trackingNumber": tracking,
        "eventId": f"e2e-{tracking}-{detail_type}",
    }
    sent = target.client("events").put_events(
        Entries=[
            {
                "EventBusName": target.names["bus"],
                "Source": "simship.carrier",
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
            }
        ]
    )
    assert sent["FailedEntryCount"] == 0, sent


def deliver(target: Target, api: httpx.Client, order: dict[str, Any]) -> dict[str, Any]:
    """Where no simulated carrier runs (AWS), the test is the carrier."""
    if target.carrier_sim:
        return order
    order = wait_for(
        api, order["orderId"], "SHIPMENT_REQUESTED", "SHIPPED", "DELIVERED", "COMPLETED"
    )
    carrier_says(target, "ShipmentDispatched", order)
    carrier_says(target, "ShipmentDelivered", order)
    return order


def execution_of(target: Target, order_id: str) -> dict[str, Any]:
    arn = target.names["state_machine"].replace(":stateMachine:", ":execution:")
    found: dict[str, Any] = target.client("stepfunctions").describe_execution(
        executionArn=f"{arn}:{order_id}"
    )
    return found
