"""An order that needs an operator, on the real local stack in a browser: the carrier goes
silent after the parcel left, CapturePayment's wait times out into AskOperator, and the order's
page lists it under "Needs an operator" with the action the CLI gives (domain/attention.py);
the operator puts the carrier's answer on the bus and the order completes on the page.

Its own stack, with workflow time compressed further (``--time-scale``): CapturePayment waits
14 days for the carrier's word, 24 s here; RequestShipment's 6 days are 10 s, which the test's
dispatch report beats by far; the execution's 30 days are 52 s, which it ends well before.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import carrier_says, order_body, place, wait_for
from tests.e2e.targets import Target, free_port, local_stack

pytestmark = pytest.mark.e2e
TIME_SCALE = "0.00002"
SILENCE_MS = 90_000
"""Longest wait for the order to ask an operator: 24 s of workflow time, and a loaded machine."""


@dataclass
class Stack:
    target: Target
    console: str
    order: dict[str, Any]
    """Captured at dispatch, then nothing more from the carrier."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir, port = tmp_path_factory.mktemp("console-attention"), free_port()
    extra = ("--console-port", str(port), "--time-scale", TIME_SCALE)
    with local_stack(workdir, *extra, "--sqs-visibility-scale", "0.005") as (target, _):
        with target.http("console-dora") as api:
            placed = place(api, order_body(city="Silentville")).json()
            booked = wait_for(api, placed["orderId"], "SHIPMENT_REQUESTED")
            carrier_says(target, "ShipmentDispatched", booked)
            _until_captured(api, booked["orderId"])
        yield Stack(target, f"http://127.0.0.1:{port}", booked)


def _until_captured(api: httpx.Client, order_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while api.get(f"/orders/{order_id}").json()["payment"]["status"] != "CAPTURED":
        assert time.monotonic() < deadline, f"order {order_id} was not captured in {timeout} s"
        time.sleep(0.2)


def test_a_silent_carrier_asks_an_operator_who_answers_for_it(stack: Stack, page: Page) -> None:
    order_id, tracking = stack.order["orderId"], stack.order["shipment"]["trackingNumber"]
    page.goto(f"{stack.console}/orders/{order_id}")
    attention = page.locator(".attention")
    expect(attention).to_contain_text(  # the page re-fetches itself while the saga runs
        f"ask SimShip what became of parcel {tracking}", timeout=SILENCE_MS
    )
    expect(page.locator("h1 .status")).to_have_text("needs attention")
    expect(attention).to_contain_text(
        "the carrier has not reported on the parcel since it left: ask SimShip"
    )
    expect(attention).to_contain_text("ShipmentDelivered completes the order")
    expect(attention).not_to_contain_text("retry")  # the saga waits: nothing to retry
    attention.get_by_role("link", name="Look").click()
    expect(page.locator("h1")).to_contain_text(f"Execution {order_id}")
    asked = page.locator('svg.graph g[data-state="AskOperator"]')
    expect(asked).to_have_class(re.compile(r"\bcurrent\b"))
    expect(page.locator('svg.graph g[data-state="CapturePayment"]')).to_have_class(
        re.compile(r"\bvisited\b")
    )
    expect(page.locator("p.now")).to_contain_text("waiting for an operator")

    carrier_says(stack.target, "ShipmentDelivered", stack.order)  # what the carrier said
    expect(page.locator("#status")).to_have_text("succeeded")
    expect(page.locator('svg.graph g[data-state="CompleteOrder"]')).to_have_class(
        re.compile(r"\bvisited\b")
    )
    page.goto(f"{stack.console}/orders/{order_id}")
    expect(page.locator("h1 .status")).to_have_text("completed")
    expect(page.locator(".attention")).to_have_count(0)
