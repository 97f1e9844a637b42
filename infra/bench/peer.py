"""The data plane against a peer emulator (MiniStack), the same boto3 calls, interleaved.

Both run as servers of their own on loopback (ours: ``python -m infra.local.dataplane``;
MiniStack from its own venv, ``.venv-ministack``, since it pins another botocore). One client
thread sends, for each operation, a block of calls to one, then the other, several rounds;
the figure per operation is the ratio of the medians of calls per second (ours / peer): above
1.0 ours is faster.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from infra.bench.stackrun import free_port
from infra.bench.template import REPO_ROOT

PEER_PYTHON = REPO_ROOT / ".venv-ministack" / "bin" / "python"
OPERATIONS = (
    "put_item",
    "transact_write_items_2",
    "sqs_send",
    "sqs_receive_delete",
    "start_execution",
)
ROLE = "arn:aws:iam::123456789012:role/peer-bench"


def run(calls: int = 200, rounds: int = 5) -> dict[str, Any]:
    if not PEER_PYTHON.exists():
        return {
            "status": "skipped",
            "reason": f"no MiniStack venv at {PEER_PYTHON.relative_to(REPO_ROOT)}: "
            "create it with `make ministack-venv`",
        }
    per_s: dict[str, dict[str, list[float]]] = {op: {"ours": [], "peer": []} for op in OPERATIONS}
    with _ours() as ours, _peer() as peer:
        subjects = {"ours": _Subject(ours), "peer": _Subject(peer)}
        for _ in range(rounds):
            for op in OPERATIONS:
                for who, subject in subjects.items():
                    per_s[op][who].append(subject.rate(op, calls))
    out: dict[str, Any] = {"calls_per_block": calls, "rounds": rounds, "operations": {}}
    for op, rates in per_s.items():
        ours_median, peer_median = (
            statistics.median(rates["ours"]),
            statistics.median(rates["peer"]),
        )
        out["operations"][op] = {
            "ours_per_s": round(ours_median, 1),
            "peer_per_s": round(peer_median, 1),
            "ratio": round(ours_median / peer_median, 2),
        }
    out["min_ratio"] = min(o["ratio"] for o in out["operations"].values())
    return out


@contextmanager
def _ours() -> Iterator[str]:
    port = free_port()
    argv = [sys.executable, "-m", "infra.local.dataplane", "--port", str(port)]
    with _server(argv, {}, f"http://127.0.0.1:{port}") as url:
        yield url


@contextmanager
def _peer() -> Iterator[str]:
    port = free_port()
    env = {"GATEWAY_PORT": str(port), "LOG_LEVEL": "WARNING"}
    with _server([str(PEER_PYTHON), "-m", "ministack"], env, f"http://127.0.0.1:{port}") as url:
        yield url


@contextmanager
def _server(argv: list[str], extra: dict[str, str], url: str) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | extra
    env["PYTHONPATH"] = str(REPO_ROOT)
    proc = subprocess.Popen(  # noqa: S603  # our interpreters, loopback
        argv,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _ready(url, proc)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    client = boto3.client(
        "sqs",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="t",
        aws_secret_access_key="t",  # noqa: S106
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {proc.returncode}")
        try:
            client.list_queues()
            return
        except (BotoCoreError, ClientError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within 60 s")


class _Subject:
    """One emulator with its resources: a table, a queue, a state machine."""

    def __init__(self, url: str) -> None:
        import boto3
        from botocore.config import Config

        kw: dict[str, Any] = {
            "endpoint_url": url,
            "region_name": "us-east-1",
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
            "config": Config(retries={"total_max_attempts": 1}),
        }
        self.ddb, self.sqs = boto3.client("dynamodb", **kw), boto3.client("sqs", **kw)
        self.sfn = boto3.client("stepfunctions", **kw)
        name = f"peer{uuid.uuid4().hex[:8]}"
        self.table = name
        self.ddb.create_table(
            TableName=name,
            KeySchema=[
                {"AttributeName": k, "KeyType": t} for k, t in (("PK", "HASH"), ("SK", "RANGE"))
            ],
            AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in ("PK", "SK")],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        self.queue = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.outbox = self.sqs.create_queue(QueueName=f"{name}-send")["QueueUrl"]
        definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
        self.machine = self.sfn.create_state_machine(
            name=name, definition=json.dumps(definition), roleArn=ROLE
        )["stateMachineArn"]
        self._n = 0

    def rate(self, op: str, calls: int) -> float:
        action: Callable[[], Any] = getattr(self, f"_{op}")
        if op == "sqs_receive_delete":  # the queue holds what the timed block takes
            for start in range(0, calls + 1, 10):
                entries = [
                    {"Id": str(i), "MessageBody": "m"} for i in range(min(10, calls + 1 - start))
                ]
                self.sqs.send_message_batch(QueueUrl=self.queue, Entries=entries)
        action()  # one untimed call: connections are open
        began = time.perf_counter()
        for _ in range(calls):
            action()
        return calls / (time.perf_counter() - began)

    def _next(self) -> str:
        self._n += 1
        return f"o-{self._n}"

    def _item(self, key: str, sk: str) -> dict[str, Any]:
        return {
            "PK": {"S": key},
            "SK": {"S": sk},
            "status": {"S": "PLACED"},
            "body": {"S": "x" * 600},
        }

    def _put_item(self) -> None:
        self.ddb.put_item(TableName=self.table, Item=self._item(self._next(), "ORDER"))

    def _transact_write_items_2(self) -> None:
        key = self._next()
        self.ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": self._item(key, "ORDER"),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {"Put": {"TableName": self.table, "Item": self._item(key, "EVENT#0000000001")}},
            ]
        )

    def _sqs_send(self) -> None:
        self.sqs.send_message(QueueUrl=self.outbox, MessageBody='{"orderId": "o"}' * 10)

    def _sqs_receive_delete(self) -> None:
        got = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=1)
        for message in got.get("Messages", []):
            self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])

    def _start_execution(self) -> None:
        self.sfn.start_execution(stateMachineArn=self.machine, name=self._next(), input="{}")
