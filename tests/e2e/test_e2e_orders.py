"""Orders through their whole lives, over real HTTP and the real bus: the saga, the carrier,
compensation. Each scenario runs on the local stack, and on AWS with ``make test-aws``."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.e2e.flows import carrier_says, deliver, execution_of, order_body, place, wait_for
from tests.e2e.targets import Target

pytestmark = pytest.mark.e2e


def _finished_execution(target: Target, order_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        execution = execution_of(target, order_id)
        if execution["status"] != "RUNNING" or time.monotonic() > deadline:
            return execution
        time.sleep(0.2)


def test_an_order_placed_over_http_completes_on_its_own(target: Target) -> None:
    with target.http("e2e-alice") as api:
        placed = place(api, order_body())
        assert placed.status_code == 201, placed.text
        order = placed.json()
        assert order["status"] == "PLACED"
        assert placed.headers["location"] == f"/orders/{order['orderId']}"
        deliver(target, api, order)
        done = wait_for(api, order["orderId"], "COMPLETED", "FAILED", "PAYMENT_FAILED")
    assert done["status"] == "COMPLETED"
    assert done["payment"]["status"] == "CAPTURED"
    assert done["payment"]["captured"] == done["total"] == {"amount": "33.00", "currency": "EUR"}
    assert done["shipment"]["status"] == "DELIVERED"
    assert done["payment"]["refunded"] == {"amount": "0.00", "currency": "EUR"}
    execution = _finished_execution(target, order["orderId"])
    assert execution["name"] == order["orderId"]
    assert execution["status"] == "SUCCEEDED"


def test_a_declined_payment_ends_payment_failed_with_nothing_charged(target: Target) -> None:
    with target.http("e2e-alice") as api:
        order = place(api, order_body(payment_token="tok_decline")).json()
        done = wait_for(api, order["orderId"], "PAYMENT_FAILED", "COMPLETED", "FAILED")
    assert done["status"] == "PAYMENT_FAILED"
    assert done["payment"]["status"] == "DECLINED"
    assert done["payment"]["captured"] == {"amount": "0.00", "currency": "EUR"}
    assert done["shipment"] is None
    assert _finished_execution(target, order["orderId"])["status"] == "SUCCEEDED"


def test_carrier_events_put_on_the_bus_move_the_order_on(target: Target) -> None:
    # Silentville: the simulated carrier books the parcel and then says nothing; we speak for it.
    with target.http("e2e-alice") as api:
        order = place(api, order_body(city="Silentville")).json()
        booked = wait_for(api, order["orderId"], "SHIPMENT_REQUESTED")
        assert booked["shipment"]["status"] == "REQUESTED"
        carrier_says(target, "ShipmentDispatched", booked)  # at the dock: the capture follows
        shipped = wait_for_parcel(api, order["orderId"], "IN_TRANSIT")
        assert (shipped["status"], shipped["payment"]["status"]) == ("SHIPPED", "CAPTURED")
        carrier_says(target, "ShipmentDispatched", booked)  # a duplicate: harmless
        carrier_says(target, "ShipmentDelivered", booked)
        done = wait_for(api, order["orderId"], "COMPLETED", "FAILED")
    assert done["status"] == "COMPLETED"
    assert done["payment"]["status"] == "CAPTURED"


def wait_for_parcel(api: Any, order_id: str, status: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        order: dict[str, Any] = api.get(f"/orders/{order_id}").json()
        if (order.get("shipment") or {}).get("status") == status or time.monotonic() > deadline:
            return order
        time.sleep(0.2)


def test_a_failed_delivery_keeps_no_money_and_fails_the_order(target: Target) -> None:
    # Lostville: the simulated carrier reports ShipmentDeliveryFailed after dispatching. The
    # capture at dispatch may have happened before the news (then it is refunded) or not (then
    # the hold is voided): either way no money is kept for goods that did not arrive.
    with target.http("e2e-alice") as api:
        order = place(api, order_body(city="Lostville")).json()
        if not target.carrier_sim:
            booked = wait_for(api, order["orderId"], "SHIPMENT_REQUESTED")
            carrier_says(target, "ShipmentDispatched", booked)
            carrier_says(target, "ShipmentDeliveryFailed", booked)
        done = wait_for(api, order["orderId"], "FAILED", "COMPLETED")
    assert done["status"] == "FAILED"
    assert done["reason"] == "the carrier could not deliver the parcel"
    payment = done["payment"]
    assert (payment["status"], payment["captured"]) in (
        ("VOIDED", {"amount": "0.00", "currency": "EUR"}),
        ("CAPTURED", payment["refunded"]),
    )
    assert done["shipment"]["status"] == "FAILED"
    execution = _finished_execution(target, order["orderId"])
    assert execution["status"] == "SUCCEEDED"  # a compensated business outcome, not a page
