"""Orders through the local stack: start it as a subprocess, place orders, wait, collect.

The stack (``python -m infra.local`` behind ``infra.bench.counter``) runs on free loopback
ports with small carrier delays. Orders are POSTed with bounded concurrency; completion is read
from the state machine's executions (named by order id), then every customer reads their order
once (GET), the table is scanned (for item sizes) and the stack is stopped, which writes the
counts. Loopback only, bounded in orders and time.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.bench import counter, events
from infra.bench.template import REPO_ROOT

TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
_LAUNCH = "import sys; from infra.bench.counter import main; sys.exit(main(sys.argv[1:]))"


@dataclass
class Order:
    order_id: str = ""
    customer: str = ""
    started: float = 0.0
    """Wall-clock seconds when the POST was sent."""
    post_ms: float = 0.0
    status_code: int = 0
    finished: float | None = None
    """Wall-clock seconds when its execution stopped."""
    execution_status: str = ""
    final_status: str = ""
    error: str = ""
    """An HTTP failure of this order's POST or GET (a time-out), if any."""


@dataclass
class StackRun:
    orders: list[Order]
    """The measured batch."""
    concurrency: int
    startup_seconds: float
    warmup: list[Order] = field(default_factory=list)
    histories: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    item_sizes: dict[str, int] = field(default_factory=dict)
    """``counter.key_string`` -> size in bytes at the end of the run, for every table."""
    gsi_keys: set[str] = field(default_factory=set)
    """Items that carry a global secondary index's keys (each write also writes the index)."""
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Table name -> ``key`` (key attribute names) and ``indexes`` (each GSI's key names)."""
    errors: list[str] = field(default_factory=list)

    @property
    def completed(self) -> list[Order]:
        """Every order of the run (warm-up included) whose workflow succeeded."""
        return [o for o in self.warmup + self.orders if o.execution_status == "SUCCEEDED"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(n: int = 50, concurrency: int = 4, warmup: int = 0, timeout: float = 900.0) -> StackRun:
    """``warmup`` orders go first (imports, first clients), outside the measured batch."""
    with tempfile.TemporaryDirectory(prefix="orderflow-bench-") as tmp:
        return _run(Path(tmp), n, concurrency, warmup, timeout)


def _run(tmp: Path, n: int, concurrency: int, warmup: int, timeout: float) -> StackRun:
    import boto3
    import httpx

    from infra.local import tokens

    secret = secrets.token_hex(16)
    api_port, aws_port = free_port(), free_port()
    state, counts, log = tmp / "state.json", tmp / "counts.json", tmp / "stack.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {tokens.SECRET_ENV: secret, counter.OUT_ENV: str(counts), "PYTHONPATH": str(REPO_ROOT)}
    began = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(  # noqa: S603  # our interpreter, our module, loopback ports
            [
                sys.executable,
                "-c",
                _LAUNCH,
                "--api-port",
                str(api_port),
                "--aws-port",
                str(aws_port),
                "--state-file",
                str(state),
                "--dispatch-after",
                "0.05",
                "--deliver-after",
                "0.1",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(state, proc, log, began + 180)
        startup = time.monotonic() - began
        described = json.loads(state.read_text())
        aws, api, machine, tables = _endpoints(described)
        clients = {
            s: boto3.client(
                s,
                endpoint_url=aws,
                region_name="us-east-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",  # noqa: S106  # moto accepts any
            )
            for s in ("stepfunctions", "dynamodb")
        }
        key = secret.encode()
        result = StackRun(orders=[], concurrency=concurrency, startup_seconds=startup)
        with httpx.Client(base_url=api, timeout=120) as http:
            customers = [f"bench-customer-{i}" for i in range(max(1, concurrency))]
            auth = {c: tokens.mint(c, secret=key) for c in customers}
            for size, batch in ((warmup, result.warmup), (n, result.orders)):
                with ThreadPoolExecutor(concurrency) as pool:
                    batch.extend(
                        pool.map(
                            lambda i: _place(http, customers[i % len(customers)], auth), range(size)
                        )
                    )
                _await_executions(
                    clients["stepfunctions"],
                    machine,
                    batch,
                    result.errors,
                    time.monotonic() + timeout,
                )
            everyone = result.warmup + result.orders
            with ThreadPoolExecutor(concurrency) as pool:
                list(pool.map(lambda o: _read(http, o, auth[o.customer]), everyone))
        time.sleep(2.0)  # trailing outbox relays and carrier events
        for order in result.warmup + result.orders:
            if order.order_id:
                result.histories[order.order_id] = _history(
                    clients["stepfunctions"], machine, order.order_id
                )
        for table in tables:
            _scan(clients["dynamodb"], table, result)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if counts.exists():
        result.counts = json.loads(counts.read_text())
    else:
        result.errors.append("the stack wrote no counts: " + log.read_text()[-500:])
    return result


def _wait_for(state: Path, proc: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    while not state.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"the local stack exited: {log.read_text()[-1500:]}")
        if time.monotonic() > deadline:
            raise RuntimeError("the local stack did not start within 180 s")
        time.sleep(0.2)


def _place(http: Any, customer: str, auth: dict[str, str]) -> Order:
    import httpx

    order = Order(customer=customer, started=time.time())
    t0 = time.perf_counter()
    try:
        reply = http.post(
            "/orders",
            json=events.ORDER_BODY,
            headers={
                "Authorization": f"Bearer {auth[customer]}",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
    except httpx.HTTPError as error:
        order.error = f"POST: {type(error).__name__}"
        return order
    order.post_ms = (time.perf_counter() - t0) * 1000
    order.status_code = reply.status_code
    if reply.status_code == 201:
        order.order_id = reply.json()["orderId"]
    return order


def _await_executions(
    sfn: Any, machine: str, orders: list[Order], errors: list[str], deadline: float
) -> None:
    wanted = {o.order_id: o for o in orders if o.order_id}
    while time.monotonic() < deadline:
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=machine):
            for execution in page["executions"]:
                order = wanted.get(execution["name"])
                if order and execution["status"] in TERMINAL and order.finished is None:
                    order.execution_status = execution["status"]
                    order.finished = execution["stopDate"].timestamp()
        if all(o.finished is not None for o in wanted.values()):
            return
        time.sleep(0.1)
    errors.append(
        f"{sum(o.finished is None for o in wanted.values())} orders did not "
        "reach a terminal state in time"
    )


def _read(http: Any, order: Order, token: str) -> None:
    import httpx

    if not order.order_id:
        return
    try:
        reply = http.get(f"/orders/{order.order_id}", headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as error:
        order.error = f"GET: {type(error).__name__}"
        return
    order.final_status = reply.json().get("status", "") if reply.status_code == 200 else ""


def _history(sfn: Any, machine: str, order_id: str) -> list[dict[str, Any]]:
    arn = machine.replace(":stateMachine:", ":execution:") + f":{order_id}"
    found = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return [
        {
            "type": e["type"],
            "state": (e.get("stateEnteredEventDetails") or {}).get("name"),
            "error": _error_of(e),
        }
        for e in found
    ]


def _error_of(event: dict[str, Any]) -> str | None:
    for key, details in event.items():
        if key.endswith("FailedEventDetails") or key.endswith("TimedOutEventDetails"):
            return str(details.get("error") or key.removesuffix("EventDetails"))
    return None


def _endpoints(described: dict[str, Any]) -> tuple[str, str, str, list[str]]:
    """(AWS endpoint, API base URL, state machine ARN, table names) from the state file."""
    resources = described.get("resources") or described
    aws = described.get("awsEndpoint") or described["endpoints"]["aws"]
    api = described.get("apiUrl") or described["endpoints"]["api"]
    machine = described.get("stateMachineArn") or next(iter(resources["stateMachines"].values()))
    return aws, api, machine, list(resources["tables"].values())


def _scan(ddb: Any, table: str, run: StackRun) -> None:
    shape = ddb.describe_table(TableName=table)["Table"]
    key = [k["AttributeName"] for k in shape["KeySchema"]]
    indexes = [
        [k["AttributeName"] for k in gsi["KeySchema"]]
        for gsi in shape.get("GlobalSecondaryIndexes") or []
    ]
    run.schemas[table] = {"key": key, "indexes": indexes}
    for page in ddb.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            name = counter.key_string(table, {k: item[k] for k in key})
            run.item_sizes[name] = counter.item_size(item)
            if any(all(a in item for a in index) for index in indexes):
                run.gsi_keys.add(name)
