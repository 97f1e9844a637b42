"""Every error the API answers: one JSON shape, the right status, the field at fault, nothing
internal (no traceback, class name or path), and nothing stored for a refused request."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest

from domain.errors import ConcurrencyConflict
from domain.status import OrderStatus
from handlers.api_guard import MAX_BODY_BYTES
from tests.domain.support import World
from tests.handlers.api_support import ORDER, ApiClient, Reply

LEAKS = re.compile(
    r"Traceback|File \"|\.py\b|[a-z](Error|Exception)\b|[Pp]ydantic|powertools"
    r"|/var/task/|domain\.|handlers\.|adapters\."
)


def assert_error(reply: Reply, status: int, code: str, field: str | None = None) -> None:
    assert reply.status == status, reply.raw
    assert set(reply.body) == {"error", "message", "details"}
    assert reply.body["error"] == code
    assert isinstance(reply.body["message"], str) and reply.body["message"]
    assert all(set(d) == {"field", "issue"} for d in reply.body["details"])
    if field is not None:
        assert field in [d["field"] for d in reply.body["details"]], reply.body
    assert not LEAKS.search(reply.raw), reply.raw
    assert reply.headers["content-type"] == "application/json"


def with_item(**item: Any) -> dict[str, Any]:
    return {**ORDER, "items": [{"sku": "BOOK-001", "quantity": 1, **item}]}


def with_address(**fields: Any) -> dict[str, Any]:
    return {**ORDER, "shippingAddress": {**ORDER["shippingAddress"], **fields}}


# ----------------------------------------------------------------------------- 400
def test_malformed_json_is_400(api: ApiClient, world: World) -> None:
    reply = api("POST", "/orders", raw='{"items": [', headers={"Idempotency-Key": "k"})

    assert_error(reply, 400, "malformed_json", "body")
    assert world.orders.all() == []


@pytest.mark.parametrize(
    "raw",
    [
        json.dumps([ORDER]),  # Powertools alone would take the first element as the body
        json.dumps(ORDER)[:-1] + ', "paymentToken": "tok_other"}',  # duplicate key smuggling
        json.dumps(with_item(quantity=1)).replace('"quantity": 1', '"quantity": NaN'),
        "[" * 30_000 + "]" * 30_000,  # under 64 KB, deeper than the parser can recurse
        '"just a string"',
        "",
    ],
    ids=["array", "duplicate key", "NaN", "deep nesting", "string", "empty"],
)
def test_anything_but_one_json_object_is_400(api: ApiClient, world: World, raw: str) -> None:
    reply = api("POST", "/orders", raw=raw, headers={"Idempotency-Key": "k"})

    if raw == "":
        assert_error(reply, 422, "validation_failed", "body")  # no body at all
    else:
        assert_error(reply, 400, "malformed_json", "body")
    assert world.orders.all() == []


@pytest.mark.parametrize("key", [None, "", "x" * 65, "has space", "ключ"])
def test_missing_or_bad_idempotency_key_is_400(api: ApiClient, key: str | None) -> None:
    headers = {} if key is None else {"Idempotency-Key": key}

    reply = api("POST", "/orders", body=ORDER, headers=headers)

    assert_error(reply, 400, "invalid_request", "Idempotency-Key")


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "101"}, {"limit": "ten"}])
def test_bad_list_parameters_are_400(api: ApiClient, query: dict[str, str]) -> None:
    assert_error(api("GET", "/orders", query=query), 400, "invalid_request", "limit")


def test_refund_without_idempotency_key_is_400(api: ApiClient, world: World) -> None:
    order = world.order_in(OrderStatus.COMPLETED)

    reply = api("POST", f"/orders/{order.order_id}/refunds", body={"reason": "broken"})

    assert_error(reply, 400, "invalid_request", "Idempotency-Key")


# ----------------------------------------------------------------------------- 401
@pytest.mark.parametrize("claims", [None, {}, {"sub": ""}, {"sub": "a\nb"}, {"sub": 42}])
def test_no_caller_identity_is_401(api: ApiClient, world: World, claims: Any) -> None:
    event = api.event("POST", "/orders", body=ORDER, headers={"Idempotency-Key": "k"})
    if claims is None:
        event["requestContext"].pop("authorizer")
    else:
        event["requestContext"]["authorizer"]["claims"] = claims

    assert_error(api.send(event), 401, "unauthorized")
    assert world.orders.all() == []


def test_identity_in_the_body_is_refused_not_trusted(api: ApiClient, world: World) -> None:
    reply = api.place({**ORDER, "customerId": "someone-else"})

    assert_error(reply, 422, "validation_failed", "customerId")
    assert world.orders.all() == []


# ----------------------------------------------------------------------------- 404, 409
def test_unknown_order_and_unknown_route_are_404(api: ApiClient) -> None:
    assert_error(api("GET", "/orders/does-not-exist"), 404, "order_not_found")
    assert_error(api("GET", "/nowhere"), 404, "not_found")


def test_invalid_transition_is_409(api: ApiClient, world: World) -> None:
    order = world.order_in(OrderStatus.SHIPPED)

    reply = api("POST", f"/orders/{order.order_id}/cancel")

    assert_error(reply, 409, "invalid_transition")


def test_a_lost_version_race_is_409_and_nothing_is_overwritten(
    api: ApiClient, world: World
) -> None:
    order = world.order_in(OrderStatus.PAYMENT_AUTHORIZED)
    world.orders.interleave(lambda: world.ship(order.order_id))  # another writer gets in first

    reply = api("POST", f"/orders/{order.order_id}/cancel")

    assert_error(reply, 409, "concurrency_conflict")
    assert reply.headers["retry-after"] == "1"
    assert world.get(order.order_id).status is OrderStatus.SHIPMENT_REQUESTED


# ----------------------------------------------------------------------------- 413
def test_body_over_64_kb_is_413_before_parsing(api: ApiClient, world: World) -> None:
    huge = json.dumps({**ORDER, "padding": "x" * MAX_BODY_BYTES})

    reply = api("POST", "/orders", raw=huge, headers={"Idempotency-Key": "k"})

    assert_error(reply, 413, "payload_too_large")
    assert world.orders.all() == []


def test_base64_body_is_measured_decoded(api: ApiClient) -> None:
    import base64

    event = api.event(
        "POST",
        "/orders",
        headers={"Idempotency-Key": "k"},
        raw=base64.b64encode(b"x" * (MAX_BODY_BYTES + 1)).decode(),
    )
    event["isBase64Encoded"] = True

    assert_error(api.send(event), 413, "payload_too_large")


# ----------------------------------------------------------------------------- 415
def test_non_json_content_type_is_415(api: ApiClient) -> None:
    reply = api(
        "POST",
        "/orders",
        raw=json.dumps(ORDER),
        content_type="text/plain",
        headers={"Idempotency-Key": "k"},
    )

    assert_error(reply, 415, "unsupported_media_type")


# ----------------------------------------------------------------------------- 422
BAD_ORDERS: dict[str, tuple[dict[str, Any], str]] = {
    "quantity 0": (with_item(quantity=0), "items[0].quantity"),
    "quantity 101": (with_item(quantity=101), "items[0].quantity"),
    "quantity -1": (with_item(quantity=-1), "items[0].quantity"),
    "quantity as text": (with_item(quantity="3"), "items[0].quantity"),
    "quantity 1e9": (with_item(quantity=1e9), "items[0].quantity"),
    "quantity 2.5": (with_item(quantity=2.5), "items[0].quantity"),
    "quantity true": (with_item(quantity=True), "items[0].quantity"),
    "client price": (with_item(unitPrice="0.01"), "items[0].unitPrice"),
    "client total": ({**ORDER, "total": {"amount": "0.01", "currency": "EUR"}}, "total"),
    "client status": ({**ORDER, "status": "COMPLETED"}, "status"),
    "unknown field": ({**ORDER, "coupon": "FREE"}, "coupon"),
    "snake_case field": ({**ORDER, "payment_token": "tok_x"}, "payment_token"),
    "no items": ({**ORDER, "items": []}, "items"),
    "51 items": (
        {**ORDER, "items": [{"sku": f"SKU-{i:03}", "quantity": 1} for i in range(51)]},
        "items",
    ),
    "lowercase sku": (with_item(sku="book-001"), "items[0].sku"),
    "sku injection": (with_item(sku="BOOK-001' OR '1'='1"), "items[0].sku"),
    "bad token": ({**ORDER, "paymentToken": "4242424242424242"}, "paymentToken"),
    "missing address": (
        {k: v for k, v in ORDER.items() if k != "shippingAddress"},
        "shippingAddress",
    ),
    "blank name": (with_address(name="   "), "shippingAddress.name"),
    "long name": (with_address(name="A" * 101), "shippingAddress.name"),
    "bad country": (with_address(country="England"), "shippingAddress.country"),
    "no such country": (with_address(country="ZZ"), "shippingAddress.country"),
    "bidi override": (with_address(name="Ada \u202eecalevoL"), "shippingAddress.name"),
    "zero-width space": (with_address(city="Lon\u200bdon"), "shippingAddress.city"),
    "NUL byte": (with_address(line1="12 St\x00James"), "shippingAddress.line1"),
    "newline": (with_address(line1="12 St\nJames"), "shippingAddress.line1"),
    "BOM": (with_address(name="\ufeffAda"), "shippingAddress.name"),
}


@pytest.mark.parametrize("body, field", BAD_ORDERS.values(), ids=BAD_ORDERS.keys())
def test_invalid_orders_are_422_with_the_field(
    api: ApiClient, world: World, body: dict[str, Any], field: str
) -> None:
    reply = api.place(body)

    assert_error(reply, 422, "validation_failed", field)
    assert world.orders.all() == []


def test_lone_surrogate_is_422_not_500(api: ApiClient) -> None:
    raw = json.dumps(with_address(name="NAME")).replace("NAME", "\\ud800")

    reply = api("POST", "/orders", raw=raw, headers={"Idempotency-Key": "k"})

    assert_error(reply, 422, "validation_failed", "shippingAddress.name")


def test_missing_body_is_422(api: ApiClient) -> None:
    assert_error(
        api("POST", "/orders", headers={"Idempotency-Key": "k"}), 422, "validation_failed", "body"
    )


@pytest.mark.parametrize(
    "body, code",
    [
        (with_item(sku="NOPE-404"), "unknown_sku"),
        (with_item(sku="GONE-999"), "out_of_stock"),
        ({**ORDER, "items": [{"sku": "BOOK-001", "quantity": 1}] * 2}, "invalid_order"),
    ],
)
def test_business_refusals_are_422(
    api: ApiClient, world: World, body: dict[str, Any], code: str
) -> None:
    assert_error(api.place(body), 422, code, "items")
    assert world.orders.all() == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"amount": "12.345", "reason": "x"}, "amount"),
        ({"amount": 12.5, "reason": "x"}, "amount"),
        ({"amount": "-1.00", "reason": "x"}, "amount"),
        ({"amount": "1.00"}, "reason"),
        ({"amount": "1.00", "reason": "x", "refundTo": "elsewhere"}, "refundTo"),
    ],
)
def test_invalid_refunds_are_422(
    api: ApiClient, world: World, body: dict[str, Any], field: str
) -> None:
    order = world.order_in(OrderStatus.COMPLETED)

    reply = api(
        "POST", f"/orders/{order.order_id}/refunds", body=body, headers={"Idempotency-Key": "r-1"}
    )

    assert_error(reply, 422, "validation_failed", field)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"amount": "9999.00", "reason": "too much"}, "amount"),
        ({"amount": "0.00", "reason": "nothing"}, "amount"),
        ({"amount": "1.00", "currency": "USD", "reason": "wrong money"}, "currency"),
    ],
)
def test_refunds_the_domain_refuses_are_422(
    api: ApiClient, world: World, body: dict[str, Any], field: str
) -> None:
    order = world.order_in(OrderStatus.COMPLETED)

    reply = api(
        "POST", f"/orders/{order.order_id}/refunds", body=body, headers={"Idempotency-Key": "r-1"}
    )

    assert_error(reply, 422, "refund_not_allowed", field)
    assert world.get(order.order_id).refunds == ()


# ----------------------------------------------------------------------------- 500
class Broken(RuntimeError):
    pass


def test_unexpected_errors_are_a_generic_500_and_logged(
    api: ApiClient, world: World, logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_: Any, **__: Any) -> None:
        raise Broken("secret internals at /var/task/adapters/x.py line 3")

    monkeypatch.setattr(world.orders, "get", explode)

    reply = api("GET", "/orders/some-order")

    assert_error(reply, 500, "internal_error")
    assert "secret" not in reply.raw
    assert "Broken" in logs.getvalue()  # the operator sees it; the client does not


def test_the_catch_all_does_not_swallow_validation_errors(api: ApiClient) -> None:
    """powertools #3841: a catch-all Exception handler must not turn 422s into 500s."""
    assert_error(api.place(with_item(quantity=0)), 422, "validation_failed")


def test_a_transient_domain_error_is_a_retryable_409(
    api: ApiClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def race(*_: Any, **__: Any) -> None:
        raise ConcurrencyConflict("o-1")

    monkeypatch.setattr(world.orders, "get", race)

    reply = api("GET", "/orders/o-1")

    assert_error(reply, 409, "concurrency_conflict")
    assert reply.headers["retry-after"] == "1"


def test_an_unavailable_idempotency_store_is_a_retryable_503(
    api: ApiClient, world: World, monkeypatch: pytest.MonkeyPatch, idempotency_store: Any
) -> None:
    def throttled(*_: Any, **__: Any) -> None:
        raise RuntimeError("ProvisionedThroughputExceededException")

    monkeypatch.setattr(idempotency_store, "_put_record", throttled)

    reply = api.place()

    assert_error(reply, 503, "temporarily_unavailable")
    assert reply.headers["retry-after"] == "1"
    assert world.orders.all() == []


# ----------------------------------------------------------------------------- logs
def test_no_personal_data_in_logs(
    api: ApiClient, logs: io.StringIO, monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    secret = with_address(name="Zyxwa Personal", line1="77 Hidden Lane", city="Secretville")
    secret["paymentToken"] = "tok_secret_card_777"
    api.place(secret, key="a")
    api.place(secret, key="a")
    api.place({**secret, "items": [{"sku": "BOOK-001", "quantity": 0}]}, key="b")
    monkeypatch.setattr(world.orders, "add", lambda *_: (_ for _ in ()).throw(Broken("boom")))
    api.place(secret, key="c")

    written = logs.getvalue()
    assert written, "the handler logs something"
    for personal in (
        "Zyxwa",
        "Hidden Lane",
        "Secretville",
        "tok_secret",
        "ada@example.com",
        "Bearer ",
    ):
        assert personal not in written


def test_an_answer_that_breaks_its_model_is_a_500_logged_without_content(
    api: ApiClient, logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handlers import api as api_module

    order_id = api.place().body["orderId"]
    monkeypatch.setattr(
        api_module.OrderOut,
        "of",
        classmethod(lambda cls, order: {"orderId": order.order_id, "name": "Zyxwa Personal"}),
    )

    reply = api("GET", f"/orders/{order_id}")

    assert_error(reply, 500, "internal_error")
    assert "answer does not match its model" in logs.getvalue()
    assert "Zyxwa" not in logs.getvalue() and "Zyxwa" not in reply.raw
