"""The console of ``make run`` in a browser, on the real local stack (``python -m infra.local
--console-port N``): list and filter, one execution's graph and timeline, a running order that
finishes on the page, a lost parcel's refund in its order's story, a retry of a failed saga and
a dead letter redriven after a confirmation."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.console.browsing import doc_shot, not_reloaded, still_the_same_page
from tests.e2e.flows import carrier_says, order_body, place, wait_for
from tests.e2e.targets import REPO, STOP_TIMEOUT, Target, free_port, local_stack

pytestmark = pytest.mark.e2e
PERSONAL = ("E2E Tester", "1 Test Street", "tok_visa")


@dataclass
class Stack:
    target: Target
    console: str
    log: Path
    orders: dict[str, dict[str, Any]]
    """Orders placed once for the module, by what they show: completed; lost (the parcel lost
    after the capture: refunded, the order FAILED, its execution SUCCEEDED); outage (its
    execution FAILED: the payment provider was down for longer than the retries)."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir, port = tmp_path_factory.mktemp("console-stack"), free_port()
    with local_stack(workdir, "--console-port", str(port), "--sqs-visibility-scale", "0.005") as (
        target,
        _,
    ):
        with target.http("console-alice") as api:
            completed = place(api, order_body()).json()
            orders = {
                "lost": _lost_after_the_capture(target, api),
                "outage": _outlasted_by_an_outage(target, api),
                "completed": wait_for(api, completed["orderId"], "COMPLETED"),
            }
        yield Stack(target, f"http://127.0.0.1:{port}", workdir / "local-stack.log", orders)


def _lost_after_the_capture(target: Target, api: httpx.Client) -> dict[str, Any]:
    """Silentville: the test is the carrier, so the news of the loss surely follows the
    capture at dispatch (Lostville's simulated carrier may be quicker than the capture)."""
    booked = wait_for(
        api, place(api, order_body(city="Silentville")).json()["orderId"], "SHIPMENT_REQUESTED"
    )
    carrier_says(target, "ShipmentDispatched", booked)
    _until_captured(api, booked["orderId"])
    carrier_says(target, "ShipmentDeliveryFailed", booked)
    return wait_for(api, booked["orderId"], "FAILED")


def _outlasted_by_an_outage(target: Target, api: httpx.Client) -> dict[str, Any]:
    """tok_unavailable: the payment provider is down for longer than AuthorizePayment's
    retries, so the execution FAILED (a fault, not an outcome) with the order still PLACED."""
    order = place(api, order_body(payment_token="tok_unavailable")).json()
    machine = target.names["state_machine"]
    arn = f"{machine.replace(':stateMachine:', ':execution:')}:{order['orderId']}"
    sfn, deadline = target.client("stepfunctions"), time.monotonic() + 60
    while _status(sfn, arn) in (None, "RUNNING"):  # None: the starter has not started it yet
        assert time.monotonic() < deadline, f"{arn} not ended after 60 s"
        time.sleep(0.2)
    return wait_for(api, order["orderId"], "PLACED")


def _status(sfn: Any, arn: str) -> str | None:
    try:
        return str(sfn.describe_execution(executionArn=arn)["status"])
    except sfn.exceptions.ExecutionDoesNotExist:
        return None


def _until_captured(api: httpx.Client, order_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while api.get(f"/orders/{order_id}").json()["payment"]["status"] != "CAPTURED":
        assert time.monotonic() < deadline, f"order {order_id} was not captured in {timeout} s"
        time.sleep(0.2)


def test_the_banner_names_the_console_and_it_answers(stack: Stack) -> None:
    assert f"console  {stack.console}   " in stack.log.read_text()


def test_the_list_updates_itself_and_filters_by_status(stack: Stack, page: Page) -> None:
    completed, lost, outage = (stack.orders[k]["orderId"] for k in ("completed", "lost", "outage"))
    page.goto(f"{stack.console}/executions")
    rows = page.locator("#rows tr[data-execution]")
    expect(rows.filter(has_text=completed)).to_contain_text("succeeded")
    expect(rows.filter(has_text=lost)).to_contain_text("succeeded")  # compensated: no fault
    expect(rows.filter(has_text=outage)).to_contain_text("failed")
    not_reloaded(page)
    with stack.target.http("console-bob") as api:
        newer = place(api, order_body()).json()["orderId"]
    expect(rows.first).to_have_attribute("data-execution", newer)  # newest first, unasked
    assert still_the_same_page(page)
    expect(rows.filter(has_text=newer)).to_contain_text("succeeded")
    doc_shot(page, "executions")

    page.get_by_role("link", name="failed", exact=True).click()
    expect(page).to_have_url(re.compile(r"status=FAILED"))
    expect(rows.filter(has_text=outage)).to_have_count(1)
    expect(rows.filter(has_text=lost)).to_have_count(0)  # a business failure is no fault
    assert set(rows.locator(".status").all_inner_texts()) == {"failed"}

    page.get_by_label("search by order id").fill(completed)
    page.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(0)  # the filter stays: it did not fail
    page.get_by_role("link", name="all", exact=True).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-execution", completed)


def test_an_execution_shows_its_path_in_the_graph_and_its_timeline(
    stack: Stack, page: Page
) -> None:
    lost = stack.orders["lost"]["orderId"]
    page.goto(f"{stack.console}/executions?q={lost}")
    page.get_by_role("link", name=lost, exact=True).click()
    expect(page.locator("#status")).to_have_text("succeeded")  # compensated and refunded
    graph = page.locator("svg.graph")
    path = [
        "AuthorizePayment",
        "RequestShipment",
        "CapturePayment",
        "CancelShipment",
        "VoidPayment",
        "RefundPayment",
        "FailOrder",
    ]
    for state in path:
        expect(graph.locator(f'g[data-state="{state}"]')).to_have_class(re.compile(r"\bvisited\b"))
    capture = graph.locator('g[data-state="CapturePayment"]')
    expect(capture).to_have_class(re.compile(r"\bfailed\b"))  # ShipmentFailed, caught
    expect(graph.locator('g[data-state="FailOrder"]')).not_to_have_class(re.compile("failed"))
    for state in ("CompleteOrder", "AskOperator", "CompensationFailed"):
        expect(graph.locator(f'g[data-state="{state}"]')).not_to_have_class(re.compile("visited"))
    expect(graph.locator("path.line.taken")).to_have_count(7)  # Start, then 6 transitions
    timeline = page.locator(".timeline tbody tr")
    failed = page.locator('.timeline tr.step.failed[data-state="CapturePayment"]')
    expect(failed).to_contain_text("ShipmentFailed")
    expect(timeline.last).to_contain_text("execution succeeded")
    graph.locator('g[data-state="RefundPayment"]').click()
    expect(page.locator(".timeline tr.picked")).to_have_count(2)  # entered, left
    page.locator(".timeline details").first.evaluate("d => d.open = true")
    text = page.locator("main").inner_text()
    assert not any(value in text for value in PERSONAL)
    assert "Traceback" not in text and "stackTrace" not in text
    doc_shot(page, "execution")


def test_a_lost_parcel_is_refunded_in_its_orders_story(stack: Stack, page: Page) -> None:
    lost = stack.orders["lost"]
    page.goto(f"{stack.console}/orders/{lost['orderId']}")
    story = page.locator(".story")
    total = f"{lost['total']['amount']} {lost['total']['currency']}"
    expect(story).to_contain_text(f"CAPTURED · {total} · captured {total} · refunded {total}")
    expect(story).to_contain_text(f"undelivered {total}")
    expect(story).to_contain_text("the carrier could not deliver the parcel")
    expect(page.locator("table.events")).to_contain_text("RefundIssued")
    expect(page.locator(".attention")).to_have_count(0)  # compensated: nothing to do


def test_a_running_order_finishes_on_the_page_without_a_reload(stack: Stack, page: Page) -> None:
    # Silentville: the simulated carrier books the parcel and says nothing; the test speaks.
    with stack.target.http("console-carol") as api:
        order = place(api, order_body(city="Silentville")).json()
        booked = wait_for(api, order["orderId"], "SHIPMENT_REQUESTED")
    page.goto(f"{stack.console}/executions/{order['orderId']}")
    expect(page.locator("#status")).to_have_text("running")
    waiting = page.locator('svg.graph g[data-state="RequestShipment"]')
    expect(waiting).to_have_class(re.compile(r"\bcurrent\b"))
    expect(page.locator("p.now")).to_contain_text("waiting for the carrier in RequestShipment")
    not_reloaded(page)
    carrier_says(stack.target, "ShipmentDispatched", booked)
    captured = page.locator('svg.graph g[data-state="CapturePayment"]')
    expect(captured).to_have_class(re.compile(r"\bcurrent\b"))  # captured, waits for delivery
    expect(page.locator("p.now")).to_contain_text("waiting for the carrier in CapturePayment")
    expect(waiting).not_to_have_class(re.compile(r"\bcurrent\b"))
    carrier_says(stack.target, "ShipmentDelivered", booked)
    expect(page.locator("#status")).to_have_text("succeeded")
    expect(page.locator('svg.graph g[data-state="CompleteOrder"]')).to_have_class(
        re.compile(r"\bvisited\b")
    )
    expect(waiting).not_to_have_class(re.compile(r"\bcurrent\b"))
    expect(page.locator("#execution")).to_have_attribute("data-live-done", "true")
    assert still_the_same_page(page)


def test_a_failed_execution_is_retried_after_a_confirmation(stack: Stack, page: Page) -> None:
    order_id = stack.orders["outage"]["orderId"]
    page.goto(f"{stack.console}/orders/{order_id}")
    expect(page.locator(".story")).to_contain_text("PENDING")  # nothing was authorized
    expect(page.locator(".story")).to_contain_text('"shippingAddress": "<redacted>"')
    assert not any(value in page.locator("main").inner_text() for value in PERSONAL)
    attention = page.locator(".attention")
    expect(attention).to_contain_text("the saga stopped (FAILED PaymentProviderUnavailable)")
    expect(attention).to_contain_text("with the order still PLACED: fix the cause, then retry it")
    attention.get_by_role("link", name="Retry…").click()
    what = page.locator(".confirm .what")
    expect(what).to_contain_text(f"Retrying {order_id} (FAILED) will start a new execution")
    expect(what).to_contain_text(f"{order_id}-retry-1 from the beginning")
    page.get_by_role("button", name="Retry", exact=True).click()
    expect(page.locator(".outcome")).to_contain_text(f"started {order_id}-retry-1")
    page.get_by_role("link", name="Follow the execution").click()
    expect(page.locator("h1")).to_contain_text(f"{order_id}-retry-1")
    # The provider is still down for this card: the retry fails the same way, as warned.
    expect(page.locator("#status")).to_have_text("failed")
    expect(page.locator("p.error")).to_contain_text("PaymentProviderUnavailable")
    page.goto(f"{stack.console}/executions/{order_id}")
    expect(page.locator("p.attempts a")).to_have_text([order_id, f"{order_id}-retry-1"])


def test_a_dead_letter_is_redriven_after_a_confirmation(stack: Stack, page: Page) -> None:
    sqs, completed = stack.target.client("sqs"), stack.orders["completed"]["orderId"]
    replay = {  # a replayed OrderPlaced of a finished order: the starter starts nothing
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "OrderPlaced",
        "source": "orderflow.orders",
        "account": "123456789012",
        "time": "2026-01-01T00:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"orderId": completed},
    }
    sqs.send_message(QueueUrl=stack.target.names["workflow_dlq"], MessageBody=json.dumps(replay))
    page.goto(f"{stack.console}/dlq")
    queue = page.locator('section.queue[data-queue="WorkflowStartDLQ"]')
    expect(queue.locator(".depth")).to_have_text("~1 messages")
    expect(queue.locator("table.messages")).to_contain_text(completed)
    doc_shot(page, "dead-letters")
    queue.get_by_role("link", name="Redrive…").click()
    expect(page.locator(".confirm .what")).to_contain_text(
        "will move the ~1 messages back to WorkflowStartQueue"
    )
    page.get_by_role("button", name="Redrive").click()
    expect(page.locator(".outcome")).to_contain_text("moved 1 messages to WorkflowStartQueue")
    page.get_by_role("link", name="Dead letters").last.click()
    expect(queue.locator(".depth")).to_have_text("~0 messages")
    depth = sqs.get_queue_attributes(
        QueueUrl=stack.target.names["workflow_dlq"], AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert depth["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_python_m_infra_ops_console_serves_the_stack_read_only(stack: Stack) -> None:
    port = free_port()
    assert stack.target.state_file is not None
    command = [sys.executable, "-m", "infra.ops", "--stack-file", str(stack.target.state_file)]
    console = subprocess.Popen(
        [*command, "console", "--port", str(port), "--read-only"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert console.stdout is not None
        banner = console.stdout.readline()  # printed once the port is bound
        assert banner.startswith(f"console  http://127.0.0.1:{port}   (local stack at ")
        assert "read-only" in banner
        page = httpx.get(f"http://127.0.0.1:{port}/executions", timeout=30)
        assert page.status_code == 200 and "read-only" in page.text
        busy = subprocess.run(
            [*command, "console", "--port", str(port)], cwd=REPO, capture_output=True, text=True
        )
        assert busy.returncode == 2
        assert f"port {port} is already in use: pick another one with --port" in busy.stderr
    finally:
        console.terminate()
        assert console.wait(STOP_TIMEOUT) == 0
