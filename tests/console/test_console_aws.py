"""The console against a deployed stack (``--aws --stack-name``), in a browser: a
CloudFormation stack inside moto (infra/bench/console_stack.py), found as the CLI finds one.
Read-only without ``--allow-writes``: no repair offered, a posted repair refused."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest
from moto import mock_aws
from playwright.sync_api import Page, expect

from infra.bench import console_stack
from infra.ops import cli
from infra.ops.console.command import console_for
from infra.ops.target import aws_target

STACK = "orderflow-prod"
PERSONAL = ("Ada Lovelace", "12 Analytical St", "tok_visa_4242")
SETTLE_TIMEOUT = 30.0


@dataclass
class Deployed:
    url: str
    session: Any
    stack: console_stack.Deployed
    dlq: str


@pytest.fixture(scope="module")
def deployed() -> Iterator[Deployed]:
    with pytest.MonkeyPatch.context() as env:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            env.setenv(name, value)
        env.delenv("AWS_PROFILE", raising=False)
        env.delenv("AWS_ENDPOINT_URL", raising=False)
        with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
            session = boto3.Session()
            stack = console_stack.deploy(session, STACK)
            for scenario in console_stack.SCENARIOS:
                console_stack.start(session, stack, f"o-{scenario}", scenario)
                console_stack.put_order(session, stack, f"o-{scenario}", "PAYMENT_AUTHORIZED")
            dlq = _resource(session, "WorkflowStartDLQ")
            body = {"detail-type": "OrderPlaced", "detail": {"orderId": "o-ok"}, **_ADDRESS}
            session.client("sqs").send_message(QueueUrl=dlq, MessageBody=json.dumps(body))
            _settle(session, stack)
            args = cli.parser().parse_args(
                ["--aws", "--stack-name", STACK, "console", "--port", "0"]
            )
            console = console_for(aws_target(STACK), args).start()
            try:
                yield Deployed(console.url, session, stack, dlq)
            finally:
                console.stop()
                console_stack.release_waiting(session, stack)


_ADDRESS = {"shippingAddress": {"name": "Ada Lovelace", "line1": "12 Analytical St"}}


def _resource(session: Any, logical_id: str) -> str:
    resources = session.client("cloudformation").describe_stack_resources(StackName=STACK)
    return next(
        r["PhysicalResourceId"]
        for r in resources["StackResources"]
        if r["LogicalResourceId"] == logical_id
    )


def _settle(session: Any, stack: console_stack.Deployed) -> None:
    """Every execution stopped, but o-wait, which waits for the carrier."""
    sfn, prefix = (
        session.client("stepfunctions"),
        stack.machine.replace(":stateMachine:", ":execution:"),
    )
    deadline = time.monotonic() + SETTLE_TIMEOUT
    for scenario in console_stack.SCENARIOS:
        arn = f"{prefix}:o-{scenario}"
        while time.monotonic() < deadline:
            if scenario == "wait":
                events = sfn.get_execution_history(executionArn=arn)["events"]
                if any(e["type"] == "TaskSubmitted" for e in events):
                    break
            elif sfn.describe_execution(executionArn=arn)["status"] != "RUNNING":
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"{arn} did not settle in {SETTLE_TIMEOUT} s")


def test_the_list_of_a_deployed_stack_says_where_and_that_it_is_read_only(
    deployed: Deployed, page: Page
) -> None:
    page.goto(f"{deployed.url}/executions")
    expect(page.locator(".where")).to_have_text(f"AWS stack {STACK} (us-east-1) · read-only")
    rows = page.locator("#rows tr[data-execution]")
    expect(rows).to_have_count(len(console_stack.SCENARIOS))
    statuses = dict(
        zip(
            rows.locator("td:first-child").all_inner_texts(),
            rows.locator(".status").all_inner_texts(),
            strict=True,
        )
    )
    assert statuses == {
        "o-ok": "succeeded",
        "o-decline": "failed",
        "o-wait": "running",
        "o-flaky": "failed",
        "o-crash": "failed",
    }
    page.get_by_role("link", name="running", exact=True).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-execution", "o-wait")


def test_a_retried_failure_shows_in_the_graph_and_no_repair_is_offered(
    deployed: Deployed, page: Page
) -> None:
    page.goto(f"{deployed.url}/executions/o-flaky")
    graph = page.locator("svg.graph")
    retried = graph.locator('g[data-state="CancelShipment"]')
    expect(retried).to_have_class(re.compile(r"\bretried\b"))
    expect(retried).to_have_class(re.compile(r"\bfailed\b"))
    expect(retried).to_contain_text("retried 1\u00d7")
    expect(graph.locator('g[data-state="CompensationFailed"]')).to_have_class(re.compile("visited"))
    expect(page.locator(".timeline")).to_contain_text("retry 1 of CancelShipment after 1.")
    expect(page.locator(".repair")).to_have_text("retry: the console is read-only")
    expect(page.get_by_role("link", name="Retry…")).to_have_count(0)


def test_a_crash_shows_its_error_and_message_never_its_stack_trace(
    deployed: Deployed, page: Page
) -> None:
    page.goto(f"{deployed.url}/executions/o-crash")
    expect(page.locator("p.error")).to_contain_text("Lambda.Unknown: KeyError: 'orderId'")
    html = page.content()
    for trace in ("stackTrace", "/var/task", "line 21"):
        assert trace not in html
    assert not any(value in html for value in PERSONAL)
    expect(page.locator(".io")).to_contain_text('"shippingAddress": "<redacted>"')


def test_an_order_story_is_redacted(deployed: Deployed, page: Page) -> None:
    page.goto(f"{deployed.url}/executions")
    page.get_by_label("order id", exact=True).fill("o-decline")
    page.get_by_role("button", name="Open order").click()
    expect(page.locator("h1")).to_contain_text("Order o-decline")
    expect(page.locator(".attention")).to_contain_text("the saga stopped (FAILED PaymentDeclined)")
    expect(page.locator("table.events")).to_contain_text("OrderPlaced")
    expect(page.locator(".story")).to_contain_text('"paymentToken": "<redacted>"')
    assert not any(value in page.content() for value in PERSONAL)


def test_dead_letters_are_listed_and_a_posted_redrive_is_refused(
    deployed: Deployed, page: Page
) -> None:
    page.goto(f"{deployed.url}/dlq")
    queue = page.locator('section.queue[data-queue="WorkflowStartDLQ"]')
    expect(queue.locator(".depth")).to_have_text("~1 messages")
    expect(queue.locator("table.messages")).to_contain_text("o-ok")
    expect(queue).to_contain_text("redrive: the console is read-only")
    assert not any(value in page.content() for value in PERSONAL)
    page.goto(f"{deployed.url}/dlq/WorkflowStartDLQ/redrive")
    expect(page.locator(".refused")).to_contain_text("read-only")
    expect(page.get_by_role("button", name="Redrive")).to_have_count(0)
    token = re.search(r'name="csrf" value="([^"]+)"', httpx.get(f"{deployed.url}/dlq").text)
    refused = httpx.post(
        f"{deployed.url}/dlq/WorkflowStartDLQ/redrive", data={"csrf": token[1] if token else ""}
    )
    assert refused.status_code == 403
    assert "read-only" in refused.text
    depth = deployed.session.client("sqs").get_queue_attributes(
        QueueUrl=deployed.dlq, AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert depth["Attributes"]["ApproximateNumberOfMessages"] == "1"


def test_unknown_things_are_a_sentence_not_a_trace(deployed: Deployed) -> None:
    for path, status in (("/executions/o-nobody", 404), ("/orders/o-nobody", 404)):
        answer = httpx.get(f"{deployed.url}{path}")
        assert answer.status_code == status
        assert "o-nobody" in answer.text and "Traceback" not in answer.text
    assert (
        httpx.get(f"{deployed.url}/executions", headers={"Host": "evil.example"}).status_code == 400
    )
