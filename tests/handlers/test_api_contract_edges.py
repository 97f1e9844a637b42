"""What the contract fuzz found at the API's edges, pinned down: bytes that are not UTF-8 are a
400 (not a 500), a body of another media type a 415 (multipart too), ``null`` is no body where
the body is optional, and a whole number written 2.0 is the number 2."""

from __future__ import annotations

import base64

from tests.domain.support import World
from tests.handlers.api_support import ORDER, ApiClient
from tests.handlers.test_api_errors import assert_error


def test_a_body_that_is_not_utf8_is_400(api: ApiClient, world: World) -> None:
    event = api.event("POST", "/orders", headers={"Idempotency-Key": "k"})
    event["body"] = base64.b64encode(b'{"items": "\xff\xfe"}').decode()
    event["isBase64Encoded"] = True

    assert_error(api.send(event), 400, "malformed_json")
    assert world.orders.all() == []


def test_multipart_without_a_boundary_is_415(api: ApiClient) -> None:
    reply = api(
        "POST",
        "/orders/abc/cancel",
        raw='{"reason": "x"}',
        content_type="multipart/form-data",
        resource="/orders/{orderId}/cancel",
    )

    assert_error(reply, 415, "unsupported_media_type")


def test_cancel_with_a_null_body_is_a_cancel_without_reason(api: ApiClient) -> None:
    placed = api.place(ORDER).body["orderId"]

    reply = api("POST", f"/orders/{placed}/cancel", raw="null", resource="/orders/{orderId}/cancel")

    assert reply.status == 200, reply.raw
    assert reply.body["status"] == "CANCELLED"


def test_a_whole_number_written_with_a_fraction_is_that_number(api: ApiClient) -> None:
    reply = api.place({**ORDER, "items": [{"sku": "BOOK-001", "quantity": 2.0}]})

    assert reply.status == 201, reply.raw
    assert reply.body["items"][0]["quantity"] == 2
