"""What the API answers at its edges, as API Gateway and the handlers do on AWS."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.flows import order_body, place
from tests.e2e.targets import Target

pytestmark = pytest.mark.e2e


def test_the_same_idempotency_key_twice_gives_one_order(target: Target) -> None:
    key = str(uuid.uuid4())
    with target.http("e2e-carol") as api:
        first, second = place(api, order_body(), key), place(api, order_body(), key)
        assert first.status_code == second.status_code == 201, (first.text, second.text)
        assert first.json()["orderId"] == second.json()["orderId"]
        listed = api.get("/orders", params={"limit": 100}).json()
    ids = [o["orderId"] for o in listed["orders"]]
    assert ids.count(first.json()["orderId"]) == 1


def test_the_same_items_in_another_order_are_the_same_request(target: Target) -> None:
    """Order lines are a multiset: listing them in another order is a replay, not a reuse."""
    key, body = str(uuid.uuid4()), order_body()
    shuffled = {**body, "items": list(reversed(body["items"]))}
    with target.http("e2e-carol") as api:
        first, second = place(api, body, key), place(api, shuffled, key)
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert first.json() == second.json()


def test_the_same_key_with_other_quantities_is_refused(target: Target) -> None:
    key, body = str(uuid.uuid4()), order_body()
    more = {**body, "items": [{**body["items"][0], "quantity": 3}, *body["items"][1:]]}
    with target.http("e2e-carol") as api:
        assert place(api, body, key).status_code == 201
        assert place(api, more, key).status_code == 422


def test_the_same_key_with_another_order_is_refused(target: Target) -> None:
    key = str(uuid.uuid4())
    with target.http("e2e-carol") as api:
        assert place(api, order_body(), key).status_code == 201
        again = place(api, order_body(payment_token="tok_other"), key)
    assert again.status_code == 422, again.text


def test_another_customers_order_is_not_found(target: Target) -> None:
    with target.http("e2e-alice") as alice, target.http("e2e-bob") as bob:
        order = place(alice, order_body()).json()
        peek = bob.get(f"/orders/{order['orderId']}")
        cancel = bob.post(f"/orders/{order['orderId']}/cancel", json={})
    assert peek.status_code == 404, peek.text
    assert cancel.status_code == 404, cancel.text
    assert "shippingAddress" not in peek.text and "items" not in peek.text


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic ZTJlOmUyZQ=="])
def test_no_valid_token_is_401_before_any_function_runs(
    target: Target, authorization: str | None
) -> None:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    if authorization is not None:
        headers["Authorization"] = authorization
    with httpx.Client(base_url=target.api, timeout=30) as api:
        answer = api.post("/orders", json=order_body(), headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"error": "unauthorized", "message": "Unauthorized", "details": []}
    # Answered by the gateway itself: the function's answers never carry this header.
    assert answer.headers.get("x-amzn-errortype", "").startswith("UnauthorizedException")


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/nowhere"), ("DELETE", "/orders"), ("PUT", "/orders/abc")]
)
def test_an_unknown_route_is_403_like_api_gateway(target: Target, method: str, path: str) -> None:
    with target.http("e2e-alice") as api:
        answer = api.request(method, path)
    assert answer.status_code == 403
    assert answer.json() == {
        "error": "forbidden",
        "message": "Missing Authentication Token",
        "details": [],
    }
