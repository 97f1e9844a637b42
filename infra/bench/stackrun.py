"""Orders through the local stack: start it as a subprocess, place orders, wait, collect.

The stack (``python -m infra.local`` behind ``infra.bench.counter``) runs on free loopback
ports with small carrier delays and its state in a temporary folder (or in memory). Orders are
POSTed by ``concurrency`` clients, each placing its next order when the last one answered;
completion is read from the state machine's executions (named by order id). Then every order is
read once (GET), the tables are scanned (item sizes) and the stack is stopped, which writes the
counts. The stack's memory (its process and its sandboxes) is sampled throughout; a run whose
stack passes ``memory_limit_mib`` is stopped. Loopback only, bounded in orders and time.
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
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.bench import counter, events, memory
from infra.bench.template import REPO_ROOT

TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
_LAUNCH = "import sys; from infra.bench.counter import main; sys.exit(main(sys.argv[1:]))"
MEMORY_LIMIT_MIB = 3072.0
MEMORY_MARK = 100
"""The stack's memory is also read once this many orders of the batch have answered."""


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
    persist: bool = True
    warmup: list[Order] = field(default_factory=list)
    histories: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    executions_per_order: dict[str, int] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    item_sizes: dict[str, int] = field(default_factory=dict)
    """``counter.key_string`` -> size in bytes at the end of the run, for every table."""
    gsi_keys: set[str] = field(default_factory=set)
    """Items that carry a global secondary index's keys (each write also writes the index)."""
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Table name -> ``key`` (key attribute names) and ``indexes`` (each GSI's key names)."""
    memory: dict[str, memory.Reading] = field(default_factory=dict)
    """``started``, ``warm``, ``mark`` (after MEMORY_MARK orders), ``end``, ``peak``."""
    errors: list[str] = field(default_factory=list)

    @property
    def completed(self) -> list[Order]:
        """Every order of the run (warm-up included) whose workflow succeeded."""
        return [o for o in self.warmup + self.orders if o.execution_status == "SUCCEEDED"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Stack:
    """``python -m infra.local`` (counted: ``infra.bench.counter``) on free loopback ports, as a
    context manager: started and ready on entry, stopped with SIGTERM on exit (unless the
    caller killed it)."""

    def __init__(
        self,
        workdir: Path,
        *,
        state_dir: Path | None = None,
        persist: bool = True,
        extra: tuple[str, ...] = (),
    ) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir, self.secret = workdir, secrets.token_hex(16)
        self.state, self.counts, self.log = (
            workdir / "state.json",
            workdir / "counts.json",
            workdir / "stack.log",
        )
        self._state_dir = state_dir or workdir / "state"
        self._persist, self._extra = persist, extra
        self.process: subprocess.Popen[bytes]
        self.startup_seconds = 0.0
        self.described: dict[str, Any] = {}

    def __enter__(self) -> Stack:
        self.process, began = _launch(
            self.workdir, self.state, self.counts, self.log, self.secret, self._persist,
            self._state_dir, self._extra,
        )  # fmt: skip
        try:
            _wait_for(self.state, self.process, self.log, began + 180)
        except BaseException:
            _stop(self.process)
            raise
        self.startup_seconds = time.monotonic() - began
        self.described = json.loads(self.state.read_text())
        return self

    def __exit__(self, *_: object) -> None:
        if self.process.poll() is None:
            _stop(self.process)

    @property
    def api(self) -> str:
        return _endpoints(self.described)[1]

    @property
    def aws(self) -> str:
        return _endpoints(self.described)[0]

    def token(self, customer: str) -> str:
        from infra.local import tokens

        return tokens.mint(customer, secret=self.secret.encode())

    def client(self, service: str) -> Any:
        return _client(service, self.aws)

    def executions_per_order(self) -> dict[str, int]:
        machine = _endpoints(self.described)[2]
        found: dict[str, int] = {}
        pages = self.client("stepfunctions").get_paginator("list_executions")
        for page in pages.paginate(stateMachineArn=machine):
            for execution in page["executions"]:
                name = execution["name"].split("-retry-")[0]
                found[name] = found.get(name, 0) + 1
        return found


def run(
    n: int = 50,
    concurrency: int = 4,
    warmup: int = 0,
    timeout: float = 900.0,
    persist: bool = True,
    histories: bool = True,
) -> StackRun:
    """``warmup`` orders go first (cold starts, first clients), outside the measured batch."""
    with tempfile.TemporaryDirectory(prefix="orderflow-bench-") as tmp:
        return _run(Path(tmp), n, concurrency, warmup, timeout, persist, histories)


def _run(
    tmp: Path,
    n: int,
    concurrency: int,
    warmup: int,
    timeout: float,
    persist: bool,
    want_histories: bool,
) -> StackRun:
    import httpx

    result = StackRun(orders=[], concurrency=concurrency, startup_seconds=0.0, persist=persist)
    with Stack(tmp, persist=persist) as stack:
        proc = stack.process
        result.startup_seconds = stack.startup_seconds
        sampler = memory.Sampler(proc.pid, MEMORY_LIMIT_MIB)
        try:
            result.memory["started"] = memory.read(proc.pid)
            sampler.start()
            aws, api, machine, tables = _endpoints(stack.described)
            clients = {s: _client(s, aws) for s in ("stepfunctions", "dynamodb")}
            with httpx.Client(base_url=api, timeout=120) as http:
                customers = [f"bench-customer-{i}" for i in range(max(1, concurrency))]
                auth = {c: stack.token(c) for c in customers}
                deadline = time.monotonic() + timeout
                for size, batch in ((warmup, result.warmup), (n, result.orders)):
                    mark = _Mark(proc.pid, MEMORY_MARK if batch is result.orders else 0)
                    batch.extend(_place_all(http, customers, auth, size, concurrency, mark))
                    _await_executions(
                        clients["stepfunctions"], machine, batch, result.errors, deadline
                    )
                    if mark.reading is not None:
                        result.memory["mark"] = mark.reading
                    if batch is result.warmup:
                        result.memory["warm"] = memory.read(proc.pid)
                    if sampler.exceeded:
                        raise RuntimeError(f"the stack passed {MEMORY_LIMIT_MIB} MiB: stopped")
                result.memory["end"] = memory.read(proc.pid)
                everyone = result.warmup + result.orders
                with ThreadPoolExecutor(concurrency) as pool:
                    list(pool.map(lambda o: _read(http, o, auth[o.customer]), everyone))
            _collect(clients, machine, tables, result, want_histories)
            result.executions_per_order = stack.executions_per_order()
        finally:
            sampler.stop()
            if sampler.peak is not None:
                result.memory["peak"] = sampler.peak
    if stack.counts.exists():
        result.counts = json.loads(stack.counts.read_text())
    else:
        result.errors.append("the stack wrote no counts: " + stack.log.read_text()[-500:])
    return result


def _launch(
    tmp: Path,
    state: Path,
    counts: Path,
    log: Path,
    secret: str,
    persist: bool,
    state_dir: Path,
    extra: tuple[str, ...] = (),
) -> tuple[subprocess.Popen[bytes], float]:
    from infra.local import tokens

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {tokens.SECRET_ENV: secret, counter.OUT_ENV: str(counts), "PYTHONPATH": str(REPO_ROOT)}
    argv = [
        sys.executable,
        "-c",
        _LAUNCH,
        "--api-port",
        str(free_port()),
        "--aws-port",
        str(free_port()),
        "--state-file",
        str(state),
        "--state-dir",
        str(state_dir),
        "--log-dir",
        str(tmp / "logs"),
        "--no-console",
        "--dispatch-after",
        "0.05",
        "--deliver-after",
        "0.1",
        *extra,
    ]
    if not persist:
        argv.append("--no-persist")
    began = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(  # noqa: S603  # our interpreter, our module, loopback ports
            argv,
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return proc, began


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _client(service: str, endpoint: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106  # the local endpoint takes any
        config=Config(retries={"total_max_attempts": 3}, read_timeout=60),
    )


def _wait_for(state: Path, proc: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    while not state.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"the local stack exited: {log.read_text()[-1500:]}")
        if time.monotonic() > deadline:
            raise RuntimeError("the local stack did not start within 180 s")
        time.sleep(0.2)


class _Mark:
    """Reads the stack's memory once, when the ``at``-th order of a batch has answered."""

    def __init__(self, pid: int, at: int) -> None:
        self.pid, self.at = pid, at
        self.reading: memory.Reading | None = None
        self._answered = 0
        self._lock = threading.Lock()

    def answered(self) -> None:
        with self._lock:
            self._answered += 1
            take = self._answered == self.at
        if take:
            self.reading = memory.read(self.pid)


def _place_all(
    http: Any, customers: list[str], auth: dict[str, str], size: int, concurrency: int, mark: _Mark
) -> list[Order]:
    def place(i: int) -> Order:
        order = _place(http, customers[i % len(customers)], auth)
        mark.answered()
        return order

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(place, range(size)))


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
    """Poll the running executions; describe each order once it is not among them."""
    waiting = {o.order_id: o for o in orders if o.order_id}
    arn_of = machine.replace(":stateMachine:", ":execution:") + ":{}"
    while waiting and time.monotonic() < deadline:
        running = set()
        for page in sfn.get_paginator("list_executions").paginate(
            stateMachineArn=machine, statusFilter="RUNNING"
        ):
            running |= {e["name"] for e in page["executions"]}
        for order_id in [k for k in waiting if k not in running]:
            try:
                found = sfn.describe_execution(executionArn=arn_of.format(order_id))
            except sfn.exceptions.ExecutionDoesNotExist:
                continue  # not started yet: still in the outbox or the queue
            if found["status"] in TERMINAL:
                order = waiting.pop(order_id)
                order.execution_status = found["status"]
                order.finished = found["stopDate"].timestamp()
        if waiting:
            time.sleep(0.25)
    if waiting:
        errors.append(f"{len(waiting)} orders did not reach a terminal state in time")


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


def _collect(
    clients: dict[str, Any], machine: str, tables: list[str], run: StackRun, histories: bool
) -> None:
    sfn = clients["stepfunctions"]
    if histories:
        for order in run.warmup + run.orders:
            if order.order_id:
                run.histories[order.order_id] = _history(sfn, machine, order.order_id)
    for table in tables:
        _scan(clients["dynamodb"], table, run)


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
