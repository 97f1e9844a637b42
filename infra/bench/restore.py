"""What a state of many orders adds to the local stack's start-up.

A stack places one order on a fresh state directory and stops. That order (its item, its
outbox, its execution and history) is then copied, through the data plane's own services,
until the state holds ``orders`` finished orders, with the outbox stream's position at its end
(everything relayed) as a long-running stack would have left it. The figure: start-up on that
state minus start-up on an empty one, each measured twice, interleaved (medians).
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from infra.bench import events, stackrun
from infra.bench.stats import rounded


def run(orders: int = 10_000, rounds: int = 2) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="orderflow-restore-") as tmp:
        root = Path(tmp)
        seeded = root / "seeded"
        seconds = _seed(root / "seed-run", seeded, orders)
        empty, full = [], []
        for n in range(rounds):
            empty.append(_startup(root / f"empty-{n}", None))
            full.append(_startup(root / f"full-{n}", seeded))
        size_mib = sum(f.stat().st_size for f in seeded.rglob("*") if f.is_file()) / 2**20
    return {
        "orders": orders,
        "seeding_s": rounded(seconds, 1),
        "state_mib": rounded(size_mib, 1),
        "startup_empty_s": rounded(statistics.median(empty), 2),
        "startup_restored_s": rounded(statistics.median(full), 2),
        "added_s": rounded(statistics.median(full) - statistics.median(empty), 2),
        "target_added_s": 5.0,
    }


def _startup(workdir: Path, state: Path | None) -> float:
    copy = workdir / "state"
    if state is not None:
        shutil.copytree(state, copy)
    with stackrun.Stack(workdir, state_dir=copy) as stack:
        return stack.startup_seconds


def _seed(workdir: Path, state: Path, orders: int) -> float:
    import httpx

    with (
        stackrun.Stack(workdir, state_dir=state) as stack,
        httpx.Client(base_url=stack.api, timeout=60) as http,
    ):
        headers = {"Authorization": f"Bearer {stack.token('seed')}", "Idempotency-Key": "seed"}
        order_id = http.post("/orders", json=events.ORDER_BODY, headers=headers).json()["orderId"]
        _until_complete(http, order_id, headers)
        table = stack.described["tableName"]
        machine = stack.described["stateMachineArn"]
    began = time.monotonic()
    _copy(state, table, machine, order_id, orders - 1)
    return time.monotonic() - began


def _until_complete(http: Any, order_id: str, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 120
    while http.get(f"/orders/{order_id}", headers=headers).json()["status"] != "COMPLETED":
        if time.monotonic() > deadline:
            raise RuntimeError("the seed order did not complete")
        time.sleep(0.2)
    time.sleep(1.0)  # its last outbox events relayed


def _copy(state: Path, table: str, machine: str, order_id: str, copies: int) -> None:
    from infra.local.dataplane.dynamodb import DynamoDB, DynamoDBStreams
    from infra.local.dataplane.functions.mappings import Mappings
    from infra.local.dataplane.states import records
    from infra.local.dataplane.store import Store

    store = Store(state / "stack.db")
    ddb, streams = DynamoDB(store), DynamoDBStreams(store)
    items = ddb.call(
        "Query",
        {
            "TableName": table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": f"ORDER#{order_id}"}},
        },
    )["Items"]
    arn = machine.replace(":stateMachine:", ":execution:") + f":{order_id}"
    with store.read() as db:
        execution = records.execution(db, arn)
        history = db.execute("SELECT history FROM sfn_executions WHERE arn = ?", (arn,)).fetchone()
    assert execution is not None  # noqa: S101  # the seed order ran
    text = json.dumps(items)
    for _ in range(copies):
        other = str(uuid.uuid4())
        copied = json.loads(text.replace(order_id, other))
        for start in range(0, len(copied), 25):
            ddb.call(
                "BatchWriteItem",
                {
                    "RequestItems": {
                        table: [{"PutRequest": {"Item": i}} for i in copied[start : start + 25]]
                    }
                },
            )
        with store.write() as db:
            db.execute(
                "INSERT INTO sfn_executions (arn, machine, name, status, input, output, "
                "started, stopped, history) VALUES (?, ?, ?, 'SUCCEEDED', ?, ?, ?, ?, ?)",
                (
                    arn.replace(order_id, other),
                    execution["machine"],
                    other,
                    execution["input"].replace(order_id, other),
                    (execution["output"] or "").replace(order_id, other),
                    execution["started"],
                    execution["stopped"],
                    (history[0] or "").replace(order_id, other),
                ),
            )
    _relayed(store, streams, Mappings(store, region="us-east-1", account="0", clock=time.time))
    store.close()


def _relayed(store: Any, streams: Any, mappings: Any) -> None:
    """The outbox stream mapping's checkpoint at the stream's end, as after a long run."""
    with store.read() as db:
        stream_mappings = [m for m in mappings.all(db) if ":dynamodb:" in m["EventSourceArn"]]
    for mapping in stream_mappings:
        arn = mapping["EventSourceArn"]
        for shard in streams.call("DescribeStream", {"StreamArn": arn})["StreamDescription"][
            "Shards"
        ]:
            iterator = streams.call(
                "GetShardIterator",
                {
                    "StreamArn": arn,
                    "ShardId": shard["ShardId"],
                    "ShardIteratorType": "TRIM_HORIZON",
                },
            )["ShardIterator"]
            last = None
            while iterator:
                page = streams.call("GetRecords", {"ShardIterator": iterator, "Limit": 1000})
                if not page["Records"]:
                    break
                last = page["Records"][-1]["dynamodb"]["SequenceNumber"]
                iterator = page.get("NextShardIterator")
            if last is not None:
                mappings.save_checkpoint(mapping["UUID"], shard["ShardId"], last)
