"""The REST API's routes on the happy path, and who may see what."""

from __future__ import annotations

from typing import Any

from domain.status import OrderStatus
from tests.domain.support import ALICE, BOB, World
from tests.handlers.api_support import ORDER, ApiClient


def test_post_orders_places_the_order_at_catalog_prices(api: ApiClient, world: World) -> None:
    reply = api.place()

    assert reply.status == 201
    order_id = reply.body["orderId"]
    assert reply.headers["location"] == f"/orders/{order_id}"
    assert reply.headers["content-type"] == "application/json"
    assert reply.body["status"] == "PLACED"
    assert reply.body["total"] == {"amount": "44.99", "currency": "EUR"}  # 2 x 12.50 + 19.99
    assert reply.body["items"][0] == {
        "sku": "BOOK-001",
        "quantity": 2,
        "unitPrice": {"amount": "12.50", "currency": "EUR"},
    }
    assert "paymentToken" not in reply.raw and "tok_visa" not in reply.raw
    stored = world.get(order_id)
    assert stored.customer_id == ALICE
    assert stored.payment_token == "tok_visa_4242"
    assert stored.shipping_address.postal_code == "SW1Y 4JH"


def test_the_committed_sample_event_places_an_order(api: ApiClient, load_event: Any) -> None:
    reply = api.send(load_event("api_post_orders.json"))

    assert reply.status == 201
    assert reply.body["shippingAddress"]["name"] == "Ada Lovelace"


def test_get_order_returns_the_callers_order(api: ApiClient) -> None:
    order_id = api.place().body["orderId"]

    reply = api("GET", f"/orders/{order_id}", resource="/orders/{orderId}")

    assert reply.status == 200
    assert reply.body["orderId"] == order_id
    assert reply.body["shipment"] is None and reply.body["refunds"] == []


def test_another_customers_order_does_not_exist_for_them(api: ApiClient) -> None:
    order_id = api.place().body["orderId"]

    for method, path, body in (
        ("GET", f"/orders/{order_id}", None),
        ("POST", f"/orders/{order_id}/cancel", {}),
        ("POST", f"/orders/{order_id}/refunds", {"reason": "mine now"}),
    ):
        reply = api(method, path, body=body, customer=BOB, headers={"Idempotency-Key": "r-1"})
        assert reply.status == 404, path
        assert reply.body["error"] == "order_not_found"
    assert api("GET", "/orders", customer=BOB).body["orders"] == []


def test_list_pages_through_the_callers_orders_only(api: ApiClient, world: World) -> None:
    mine = [api.place(key=f"k-{i}").body["orderId"] for i in range(3)]
    world.place(customer=BOB)

    first = api("GET", "/orders", query={"limit": "2"})
    second = api("GET", "/orders", query={"limit": "2", "cursor": first.body["nextCursor"]})

    assert first.status == second.status == 200
    listed = [o["orderId"] for o in first.body["orders"] + second.body["orders"]]
    assert sorted(listed) == sorted(mine)
    assert second.body["nextCursor"] is None
    assert set(first.body["orders"][0]) == {"orderId", "status", "total", "createdAt"}


def test_an_altered_cursor_is_a_400_naming_the_cursor(api: ApiClient) -> None:
    reply = api("GET", "/orders", query={"cursor": "bm90IGEgY3Vyc29y"})
    assert reply.status == 400
    assert reply.body["error"] == "invalid_cursor"
    assert reply.body["details"][0]["field"] == "cursor"


def test_cancel_with_and_without_a_reason(api: ApiClient, world: World) -> None:
    first = api.place(key="a").body["orderId"]
    second = api.place(key="b").body["orderId"]

    plain = api("POST", f"/orders/{first}/cancel", resource="/orders/{orderId}/cancel")
    reasoned = api("POST", f"/orders/{second}/cancel", body={"reason": "  found it cheaper  "})

    assert plain.status == reasoned.status == 200
    assert plain.body["status"] == "CANCELLED"
    assert plain.body["reason"] == "cancelled by customer"
    assert world.get(second).reason == "found it cheaper"  # stripped at the edge


def test_cancelling_twice_is_harmless(api: ApiClient, world: World) -> None:
    order_id = api.place().body["orderId"]

    replies = [api("POST", f"/orders/{order_id}/cancel") for _ in range(2)]

    assert [r.status for r in replies] == [200, 200]
    assert world.events_of(order_id) == ["OrderPlaced", "OrderCancelled"]


def test_refund_part_then_the_rest_keyed_by_idempotency_key(api: ApiClient, world: World) -> None:
    order = world.order_in(OrderStatus.COMPLETED, customer=ALICE)
    path = f"/orders/{order.order_id}/refunds"

    part = api(
        "POST",
        path,
        body={"amount": "10.00", "reason": "scratched"},
        headers={"Idempotency-Key": "refund-1"},
    )
    again = api(
        "POST",
        path,
        body={"amount": "10.00", "reason": "scratched"},
        headers={"Idempotency-Key": "refund-1"},
    )
    rest = api("POST", path, body={"reason": "returned"}, headers={"Idempotency-Key": "refund-2"})

    assert part.status == again.status == rest.status == 201
    assert part.headers["location"] == f"/orders/{order.order_id}"
    assert part.body["status"] == "PARTIALLY_REFUNDED"
    assert rest.body["status"] == "REFUNDED"
    assert [r["refundId"] for r in rest.body["refunds"]] == ["refund-1", "refund-2"]
    assert len(world.payments.ledger_for(order.order_id, "refund")) == 2  # not 3


def test_order_json_is_camel_case_with_money_as_strings(api: ApiClient) -> None:
    body = api.place().body

    assert set(body) == {
        "orderId",
        "status",
        "version",
        "createdAt",
        "updatedAt",
        "items",
        "total",
        "shippingAddress",
        "payment",
        "shipment",
        "refunds",
        "reason",
    }
    assert body["shippingAddress"] == {**ORDER["shippingAddress"], "line2": ""}
    assert body["payment"] == {
        "status": "PENDING",
        "captured": {"amount": "0.00", "currency": "EUR"},
        "refunded": {"amount": "0.00", "currency": "EUR"},
    }
