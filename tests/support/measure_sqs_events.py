"""Cost of the local SQS and EventBridge: a measurement, not a test (run by hand).

    .venv/bin/python -m tests.support.measure_sqs_events [--calls 2000]

For each operation, at 10 and at 50,000 messages in the queue: the service's own CPU per call
in process (``service.call``, no HTTP), and over HTTP against a server in a child process
(durable store in a temporary file): the server process's CPU per call (from /proc) and the
boto3 caller's wall time per call (p50, mean). PutEvents carries 1 or 10 entries, each
matching 3 rules with an SQS target each, on a bus with an archive of everything (the
shape of OrderFlow's bus). ReceiveMessage+DeleteMessage runs with a SendMessage that keeps
the depth; that send's own figure is subtracted. Last, the server's CPU while 8 long polls
wait 5 s on an empty queue (it should be next to nothing: waits do not spin). Loopback only;
bounded in calls and memory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

DEPTHS = (10, 50_000)
BUS = "orderflow"
RULES = 3
TICKS = os.sysconf("SC_CLK_TCK")


def build(path: Path | None) -> tuple[Any, Any]:
    from infra.local.dataplane.events import Events, LocalDelivery
    from infra.local.dataplane.sqs import Sqs
    from infra.local.dataplane.store import Store

    store = Store(path)
    sqs = Sqs(store, endpoint="http://127.0.0.1:4566")
    events = Events(store, deliver=LocalDelivery(store, sqs))
    return sqs, events


def prepare(sqs: Any, events: Any, depth: int) -> None:
    """Queue ``work`` with ``depth`` messages; bus with 3 matching rules to queues, archive."""
    url = sqs.call("CreateQueue", {"QueueName": "work"})["QueueUrl"]
    body = json.dumps({"orderId": "o-1", "padding": "x" * 200})
    for start in range(0, depth, 10):
        count = min(10, depth - start)
        entries = [{"Id": str(i), "MessageBody": body} for i in range(count)]
        sqs.call("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
    events.call("CreateEventBus", {"Name": BUS})
    events.call("CreateArchive", {"ArchiveName": "all", "EventSourceArn": events.arns.bus(BUS)})
    for rule in range(RULES):
        target = sqs.call("CreateQueue", {"QueueName": f"target-{rule}"})["QueueUrl"]
        arn = f"arn:aws:sqs:us-east-1:123456789012:target-{rule}"
        for start in range(0, depth, 10):
            entries = [{"Id": str(i), "MessageBody": body} for i in range(min(10, depth - start))]
            sqs.call("SendMessageBatch", {"QueueUrl": target, "Entries": entries})
        pattern = {"source": ["orderflow.orders"], "detail-type": ["OrderPlaced"]}
        events.call(
            "PutRule",
            {"Name": f"r{rule}", "EventBusName": BUS, "EventPattern": json.dumps(pattern)},
        )
        events.call(
            "PutTargets",
            {"Rule": f"r{rule}", "EventBusName": BUS, "Targets": [{"Id": "q", "Arn": arn}]},
        )


def entries(count: int) -> list[dict[str, Any]]:
    detail = json.dumps({"orderId": "o-1", "customerId": "c-1", "total": {"amount": "12.50"}})
    entry = {
        "EventBusName": BUS,
        "Source": "orderflow.orders",
        "DetailType": "OrderPlaced",
        "Detail": detail,
    }
    return [entry] * count


def operations(
    call: Callable[[str, dict[str, Any]], Any], url: str
) -> dict[str, Callable[[], Any]]:
    body = json.dumps({"orderId": "o-2", "padding": "x" * 200})

    def send() -> Any:
        return call("SendMessage", {"QueueUrl": url, "MessageBody": body})

    def receive_delete() -> Any:
        message = call("ReceiveMessage", {"QueueUrl": url, "VisibilityTimeout": 30})["Messages"][0]
        call("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": message["ReceiptHandle"]})
        return send()  # keeps the depth; its own cost is subtracted (the SendMessage figure)

    return {
        "SendMessage": send,
        "ReceiveMessage+DeleteMessage": receive_delete,
        "PutEvents x1 (3 rules)": lambda: call("PutEvents", {"Entries": entries(1)}),
        "PutEvents x10 (3 rules)": lambda: call("PutEvents", {"Entries": entries(10)}),
    }


def in_process(depth: int, calls: int, directory: Path) -> dict[str, float]:
    sqs, events = build(directory / "state.db")
    prepare(sqs, events, depth)
    services = {"PutEvents": events}

    def call(operation: str, params: dict[str, Any]) -> Any:
        return services.get(operation, sqs).call(operation, params)

    found = {}
    for name, operation in operations(call, "http://127.0.0.1:4566/123456789012/work").items():
        for _ in range(50):
            operation()
        start = time.process_time()
        for _ in range(calls):
            operation()
        found[name] = (time.process_time() - start) / calls * 1000
    found["ReceiveMessage+DeleteMessage"] -= found["SendMessage"]
    return found


def idle_polls(sqs: Any, pid: int) -> float:
    from concurrent.futures import ThreadPoolExecutor

    url = sqs.create_queue(QueueName="idle")["QueueUrl"]
    cpu = server_cpu(pid)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5), range(8)))
    return (server_cpu(pid) - cpu) * 1000


def server_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def over_http(depth: int, calls: int, directory: Path) -> dict[str, tuple[float, float, float]]:
    db = directory / "served.db"
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.support.measure_sqs_events", "--serve", str(depth), str(db)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        config = Config(retries={"total_max_attempts": 1}, read_timeout=30)
        clients = {
            s: boto3.client(
                s,
                endpoint_url=f"http://127.0.0.1:{port}",
                region_name="us-east-1",
                aws_access_key_id="t",
                aws_secret_access_key="t",
                config=config,
            )
            for s in ("sqs", "events")
        }

        def call(operation: str, params: dict[str, Any]) -> Any:
            client = clients["events" if operation == "PutEvents" else "sqs"]
            method = "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")
            return getattr(client, method)(**params)

        found = {}
        for name, operation in operations(
            call, f"http://127.0.0.1:{port}/123456789012/work"
        ).items():
            for _ in range(50):
                operation()
            cpu, walls = server_cpu(child.pid), []
            for _ in range(calls):
                start = time.perf_counter()
                operation()
                walls.append((time.perf_counter() - start) * 1000)
            per_call = (server_cpu(child.pid) - cpu) / calls * 1000
            found[name] = (per_call, statistics.median(walls), statistics.fmean(walls))
        send = found["SendMessage"]
        both = found["ReceiveMessage+DeleteMessage"]
        found["ReceiveMessage+DeleteMessage"] = tuple(
            a - b for a, b in zip(both, send, strict=True)
        )  # type: ignore[assignment]
        idle = idle_polls(clients["sqs"], child.pid)
        found["8 long polls waiting 5 s (total)"] = (idle, float("nan"), float("nan"))
        return found
    finally:
        child.terminate()
        child.wait(10)


def serve(depth: int, db: Path) -> None:
    from infra.local.dataplane.server import Endpoint
    from infra.local.process import bind
    from infra.local.serving import ServerThread

    sqs, events = build(db)
    prepare(sqs, events, depth)
    server = ServerThread(Endpoint([sqs, events]), bind("127.0.0.1", 0, "--aws-port"), "measure")
    server.start()
    print(server.port, flush=True)
    while True:
        time.sleep(3600)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--serve", nargs=2)
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), Path(args.serve[1]))
        return
    for depth in DEPTHS:
        with tempfile.TemporaryDirectory() as directory:
            local = in_process(depth, args.calls, Path(directory))
            remote = over_http(depth, args.calls, Path(directory))
        print(f"\n{depth:,} messages in the queue ({args.calls} calls each)")
        columns = ("service CPU", "server CPU", "boto3 p50", "mean")
        print(f"  {'operation (ms per call)':32} " + " ".join(f"{c:>12}" for c in columns))
        for name, (server, p50, mean) in remote.items():
            cpu = local.get(name, float("nan"))
            print(f"  {name:32} " + " ".join(f"{v:12.3f}" for v in (cpu, server, p50, mean)))


if __name__ == "__main__":
    main()
