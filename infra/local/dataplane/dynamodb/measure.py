"""How much an operation costs with 50 and with 50,000 items in the table (not a test).

    python -m infra.local.dataplane.dynamodb.measure [--sizes 50 50000] [--repeat 2000]

Per operation: server CPU (``service.call`` in process, the path the endpoint runs, CPU time
per call) and end to end through boto3 against the served endpoint (wall time, median),
on a file-backed store as the stack runs it. Operations: put_item of a new order item,
get_item, a 2-item transact_write_items, a query of one customer's orders on GSI1, and a
stream poller's round at the tail of the stream (get_shard_iterator AFTER_SEQUENCE_NUMBER,
get_records answering nothing new).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from infra.local.dataplane.dynamodb import DynamoDB, DynamoDBStreams
from infra.local.dataplane.dynamodb.measure_workload import (
    STREAM_OPERATIONS,
    Call,
    operations,
    seed,
    stream_operations,
)
from infra.local.dataplane.service import JsonService
from infra.local.dataplane.store import Store


def server_cpu(service: JsonService, call: Call, repeat: int) -> float:
    requests = [call(i) for i in range(repeat)]
    began = time.process_time()
    for operation, params in requests:
        service.call(operation, params)
    return (time.process_time() - began) / repeat * 1e6


def through_boto3(url: str, service: str, call: Call, repeat: int, offset: int) -> float:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        config=Config(retries={"total_max_attempts": 1}),
    )
    method = client._make_api_call  # what every generated client method calls
    samples = []
    for i in range(repeat):
        name, params = call(offset + i)
        began = time.perf_counter()
        method(name, params)
        samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1e6


def measure(size: int, repeat: int, folder: Path) -> dict[str, tuple[float, float]]:
    from infra.local.dataplane.http import HttpServer
    from infra.local.dataplane.server import Endpoint
    from infra.local.process import bind

    store = Store(folder / f"measure-{size}.db")
    service, streams = DynamoDB(store), DynamoDBStreams(store)
    seed(service, size)
    found = {}
    app = Endpoint([service, streams])
    server = HttpServer(app, bind("127.0.0.1", 0, "--aws-port"), "measure")
    server.start()
    try:
        url = f"http://127.0.0.1:{server.port}"
        for name, call in operations(size).items():
            cpu = server_cpu(service, call, repeat)
            found[name] = (cpu, through_boto3(url, "dynamodb", call, repeat // 2, repeat))
        for name, call in stream_operations(service, streams).items():  # after the writes
            cpu = server_cpu(streams, call, repeat)
            found[name] = (cpu, through_boto3(url, "dynamodbstreams", call, repeat // 2, repeat))
    finally:
        server.stop()
        store.close()
    return found


def main() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "measure")  # sent to loopback only
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "measure")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 50_000])
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results = {size: measure(size, args.repeat, Path(folder)) for size in args.sizes}
    print(
        f"{'operation':<22}"
        + "".join(f"{'cpu µs @' + str(s):>16}{'boto3 µs @' + str(s):>18}" for s in args.sizes)
    )
    for name in [*operations(1), *STREAM_OPERATIONS]:
        row = "".join(
            f"{results[s][name][0]:>16.0f}{results[s][name][1]:>18.0f}" for s in args.sizes
        )
        print(f"{name:<22}{row}")


if __name__ == "__main__":
    main()
