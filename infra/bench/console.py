"""The operator console's page latency with 1,000 executions (the issue's target: p50 under
200 ms). A stack as ``--aws --stack-name`` finds it, inside moto (infra/bench/console_stack.py),
loaded with executions of every outcome; the console served on loopback, read-only; each page
asked ``requests`` times over real HTTP, one after the other.

moto answers in-process, so AWS's own latency is not in these figures: each page's AWS calls
are counted too (on AWS, add one round trip, ~20-60 ms, per call). Two flavours: ``aws`` (a
deployed stack) and ``local`` (the local stack's console, where an order's page also asks
for its emulated retries)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from infra.bench import console_stack
from infra.bench.stats import rounded, summary_ms

TARGET_P50_MS = 200.0
STACK = "orderflow-bench"
MIX = {"ok": 85, "decline": 8, "flaky": 3, "crash": 2, "wait": 2}
"""Scenario -> executions per 100."""
SETTLE_TIMEOUT = 300.0
DEAD_LETTERS = 5
_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def pages(names: dict[str, str]) -> dict[str, str]:
    """What an operator opens, by the order ids of the loaded executions."""
    return {
        "executions, newest 50": "/executions",
        "executions, failed": "/executions?status=FAILED",
        "executions, page 10": "/executions?page=10",
        "executions, live rows": "/executions/rows",
        "search by order id": f"/executions?q={names['ok']}",
        "one execution (retried)": f"/executions/{names['flaky']}",
        "one execution, live part": f"/executions/{names['wait']}/live",
        "order story": f"/orders/{names['ok']}",
        "dead letters": "/dlq",
    }


def run(executions: int = 1000, requests: int = 50) -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    with _environment(), mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        session = boto3.Session()
        stack = console_stack.deploy(session, STACK)
        began = time.perf_counter()
        names = _load(session, stack, executions)
        _dead_letters(session, DEAD_LETTERS)
        loaded_s = time.perf_counter() - began
        try:
            flavours = {
                flavour: _measure(session, flavour, pages(names), requests)
                for flavour in ("aws", "local")
            }
        finally:
            console_stack.release_waiting(session, stack)
    worst = max(p["p50_ms"] for f in flavours.values() for p in f.values())
    return {
        "status": "ok",
        "executions": executions,
        "requests_per_page": requests,
        "load_seconds": rounded(loaded_s, 1),
        "target_p50_ms": TARGET_P50_MS,
        "worst_p50_ms": worst,
        "meets_target": worst < TARGET_P50_MS,
        "flavours": flavours,
    }


def _load(session: Any, stack: console_stack.Deployed, count: int) -> dict[str, str]:
    """``count`` executions in the mix (spread out: every scenario among the first few), an
    order item for each; one order id per scenario."""
    sfn, names = session.client("stepfunctions"), dict[str, str]()
    plan = [s for _, s in sorted((i / n, s) for s, n in MIX.items() for i in range(n))]
    arns = []
    for index in range(count):
        scenario = plan[index % len(plan)]
        order_id = f"o-{index:05d}-{scenario}"
        names.setdefault(scenario, order_id)
        arns.append((scenario, console_stack.start(session, stack, order_id, scenario)))
        console_stack.put_order(session, stack, order_id, "PAYMENT_AUTHORIZED")
    deadline = time.monotonic() + SETTLE_TIMEOUT
    for scenario, arn in arns:
        while (
            scenario != "wait" and sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
        ):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{arn} still running after {SETTLE_TIMEOUT} s")
            time.sleep(0.05)
    return names


def _dead_letters(session: Any, count: int) -> None:
    resources = session.client("cloudformation").describe_stack_resources(StackName=STACK)
    dlq = next(
        r["PhysicalResourceId"]
        for r in resources["StackResources"]
        if r["LogicalResourceId"] == "WorkflowStartDLQ"
    )
    for index in range(count):
        body = f'{{"detail-type": "OrderPlaced", "detail": {{"orderId": "o-{index:05d}-ok"}}}}'
        session.client("sqs").send_message(QueueUrl=dlq, MessageBody=body)


def _measure(
    session: Any, flavour: str, paths: dict[str, str], requests: int
) -> dict[str, dict[str, Any]]:
    import httpx

    from infra.ops.console.server import Console
    from infra.ops.target import Target, aws_target

    target = aws_target(STACK)
    if flavour == "local":
        target = Target(target.config, target.session, local=True)
    calls: list[str] = []
    target.session.events.register("before-call", lambda event_name, **_: calls.append(event_name))
    console = Console(target, port=0, writes=False).start()
    measured: dict[str, dict[str, Any]] = {}
    try:
        with httpx.Client(base_url=console.url, timeout=60) as http:
            for name, path in paths.items():
                for _ in range(3):  # warm: clients created, templates compiled
                    _ok(http.get(path), path)
                calls.clear()
                _ok(http.get(path), path)
                aws_calls = len(calls)
                samples = []
                for _ in range(requests):
                    start = time.perf_counter_ns()
                    _ok(http.get(path), path)
                    samples.append(time.perf_counter_ns() - start)
                measured[name] = {"path": path, "aws_calls": aws_calls, **summary_ms(samples)}
    finally:
        console.stop()
    return measured


def _ok(answer: Any, path: str) -> None:
    if answer.status_code != 200:
        raise RuntimeError(f"{path} answered {answer.status_code}")


@contextmanager
def _environment() -> Iterator[None]:
    """Fake credentials for moto, and moto's logging of failed executions off."""
    saved = {k: os.environ.get(k) for k in (*_ENV, "AWS_PROFILE", "AWS_ENDPOINT_URL")}
    os.environ.update(_ENV)
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    moto_log = logging.getLogger("moto")
    level = moto_log.level
    moto_log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        moto_log.setLevel(level)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
