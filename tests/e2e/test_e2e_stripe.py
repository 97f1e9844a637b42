"""Orders paid with Stripe on the local stack: ``--payments stripe`` runs localstripe on a
loopback port, puts its key in the template's secret, and every paying function reads it from
there. Each scenario checks both sides: the order as the API answers it, and the money as
Stripe's API (localstripe) holds it. Local only: a deployed stack pays real Stripe."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.flows import ORDER_TIMEOUT, order_body, place, wait_for
from tests.e2e.targets import Target, local_stack

pytestmark = pytest.mark.e2e
APPROVED, DECLINED = "pm_card_visa", "pm_card_chargeCustomerFail"  # cards localstripe knows
TOTAL = {"amount": "33.00", "currency": "EUR"}  # order_body()'s lines at catalog prices


@pytest.fixture(scope="module")
def stripe_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Target, str]]:
    workdir = tmp_path_factory.mktemp("stripe-stack")
    with local_stack(workdir, "--payments", "stripe", "--no-persist", "--no-console") as started:
        target, _ = started
        assert target.state_file is not None
        payments = json.loads(target.state_file.read_text())["payments"]
        assert payments["provider"] == "stripe"
        yield target, payments["stripeApiBase"]


@pytest.fixture
def stripe(stripe_stack: tuple[Target, str]) -> Iterator[httpx.Client]:
    """Stripe's API as localstripe serves it, with the key the stack put in its secret."""
    target, base = stripe_stack
    secret = target.client("secretsmanager").get_secret_value(
        SecretId="orderflow-local/stripe-api-key"
    )
    with httpx.Client(base_url=base, auth=(secret["SecretString"], ""), timeout=10) as client:
        yield client


def intents_of(stripe: httpx.Client, order_id: str) -> list[dict[str, Any]]:
    found = stripe.get("/v1/payment_intents", params={"limit": 100}).json()["data"]
    return [i for i in found if i["metadata"].get("orderflow_key", "").startswith(order_id)]


def refunds_of(stripe: httpx.Client, intent: dict[str, Any]) -> list[dict[str, Any]]:
    answer = stripe.get("/v1/refunds", params={"payment_intent": intent["id"], "limit": 100})
    return list(answer.json()["data"])


def wait_for_payment(api: httpx.Client, order_id: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + ORDER_TIMEOUT
    while True:
        order: dict[str, Any] = api.get(f"/orders/{order_id}").json()
        if order["payment"]["status"] == status:
            return order
        assert time.monotonic() < deadline, f"payment still {order['payment']['status']}"
        time.sleep(0.2)


def test_an_order_paid_with_stripe_completes_and_is_captured_once(
    stripe_stack: tuple[Target, str], stripe: httpx.Client
) -> None:
    target, _ = stripe_stack
    with target.http("e2e-stripe") as api:
        order = place(api, order_body(payment_token=APPROVED)).json()
        done = wait_for(api, order["orderId"], "COMPLETED", "FAILED", "PAYMENT_FAILED")
    assert done["status"] == "COMPLETED"
    assert done["payment"]["captured"] == TOTAL
    (intent,) = intents_of(stripe, order["orderId"])  # one intent: one authorization
    assert (intent["status"], intent["amount"], intent["currency"]) == ("succeeded", 3300, "eur")
    assert intent["capture_method"] == "manual"
    assert intent["metadata"]["orderflow_key"] == f"{order['orderId']}:authorize"


def test_a_card_stripe_declines_fails_the_payment_and_holds_nothing(
    stripe_stack: tuple[Target, str], stripe: httpx.Client
) -> None:
    target, _ = stripe_stack
    with target.http("e2e-stripe") as api:
        order = place(api, order_body(payment_token=DECLINED)).json()
        done = wait_for(api, order["orderId"], "PAYMENT_FAILED", "COMPLETED", "FAILED")
    assert (done["status"], done["payment"]["status"]) == ("PAYMENT_FAILED", "DECLINED")
    assert done["shipment"] is None
    (intent,) = intents_of(stripe, order["orderId"])
    assert intent["status"] == "requires_payment_method"  # declined: nothing held or taken


def test_refunds_reach_stripe_once_per_idempotency_key(
    stripe_stack: tuple[Target, str], stripe: httpx.Client
) -> None:
    target, _ = stripe_stack
    with target.http("e2e-stripe") as api:
        order = place(api, order_body(payment_token=APPROVED)).json()
        wait_for(api, order["orderId"], "COMPLETED", "FAILED", "PAYMENT_FAILED")
        path = f"/orders/{order['orderId']}/refunds"
        part = {"amount": "10.00", "currency": "EUR", "reason": "one mug broke"}
        first = api.post(path, json=part, headers={"Idempotency-Key": "stripe-part"})
        again = api.post(path, json=part, headers={"Idempotency-Key": "stripe-part"})
        rest = api.post(path, json={"reason": "all of it"}, headers={"Idempotency-Key": "rest"})
    assert (first.status_code, again.status_code, rest.status_code) == (201, 201, 201), rest.text
    assert first.json()["status"] == "PARTIALLY_REFUNDED"
    refunded = rest.json()
    assert refunded["status"] == "REFUNDED"
    assert refunded["payment"]["refunded"] == TOTAL
    (intent,) = intents_of(stripe, order["orderId"])
    amounts = sorted(r["amount"] for r in refunds_of(stripe, intent))
    assert amounts == [1000, 2300]  # the repeated key refunded nothing more


def test_a_cancelled_order_releases_the_stripe_hold(
    stripe_stack: tuple[Target, str], stripe: httpx.Client
) -> None:
    # Silentville: the simulated carrier books the parcel and says nothing more, so the order
    # waits authorized, not captured, until the customer cancels it.
    target, _ = stripe_stack
    with target.http("e2e-stripe") as api:
        body = order_body(payment_token=APPROVED, city="Silentville")
        order = place(api, body).json()
        wait_for(api, order["orderId"], "SHIPMENT_REQUESTED")
        cancel = api.post(f"/orders/{order['orderId']}/cancel", json={"reason": "changed my mind"})
        assert cancel.status_code == 200, cancel.text
        assert wait_for(api, order["orderId"], "CANCELLED", "COMPLETED")["status"] == "CANCELLED"
        voided = wait_for_payment(api, order["orderId"], "VOIDED")  # the saga's compensation
    assert voided["payment"]["captured"] == {"amount": "0.00", "currency": "EUR"}
    (intent,) = intents_of(stripe, order["orderId"])
    assert (intent["status"], intent.get("amount_received", 0)) == ("canceled", 0)
