"""Many clients at once, as the local stack must take them: every request answered by the
function (2xx, or a documented 409 for a lost race), none by the gateway's 5xx or 504, and
every accepted order through its saga. Local only: the figures of speed are the benchmark's
(``make bench``), these are the promises."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest

from tests.e2e.flows import order_body, place, wait_for
from tests.e2e.targets import Target

pytestmark = pytest.mark.e2e
TERMINAL = ("COMPLETED", "FAILED", "PAYMENT_FAILED", "CANCELLED")


@pytest.mark.parametrize("clients", [10, 50])
def test_concurrent_orders_are_all_accepted_and_all_finish(local: Target, clients: int) -> None:
    apis = [local.http(f"e2e-load-{clients}-{n}") for n in range(clients)]
    try:
        with ThreadPoolExecutor(clients) as pool:
            answers = list(pool.map(lambda api: place(api, order_body()), apis))
        assert [a.status_code for a in answers] == [201] * clients, [a.text for a in answers]
        finals = [
            wait_for(api, a.json()["orderId"], *TERMINAL, timeout=180)
            for api, a in zip(apis, answers, strict=True)
        ]
    finally:
        for api in apis:
            api.close()
    assert {f["status"] for f in finals} == {"COMPLETED"}


def test_concurrent_refunds_of_one_order_are_answered_by_the_function(local: Target) -> None:
    with local.http("e2e-refunds") as api:
        order = place(api, order_body()).json()
        wait_for(api, order["orderId"], "COMPLETED")

        def refund(n: int) -> httpx.Response:
            return api.post(
                f"/orders/{order['orderId']}/refunds",
                json={"amount": "0.50", "reason": f"dented {n}"},
                headers={"Idempotency-Key": f"refund-{n}"},
            )

        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(refund, range(20)))
        final = api.get(f"/orders/{order['orderId']}").json()
    codes = [a.status_code for a in answers]
    assert set(codes) <= {201, 409}, [a.text for a in answers if a.status_code not in (201, 409)]
    assert 201 in codes
    refunded = Decimal(final["payment"]["refunded"]["amount"])
    assert refunded == Decimal("0.50") * codes.count(201)  # every 201 refunded, nothing else
