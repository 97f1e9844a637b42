"""An SQS event source mapping runs as many pollers as its MaximumConcurrency allows, within
the stack's limit per function; a stream mapping runs one (per shard, in order)."""

from __future__ import annotations

import time

import pytest

from infra.local.dataplane.events.pattern import compiled
from infra.local.dataplane.functions.delivery import MappingPollers
from infra.local.dataplane.functions.service import Functions
from infra.local.dataplane.sqs import Sqs
from infra.local.dataplane.store import Store
from tests.support.runners import InProcessRunner

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:work"


@pytest.mark.parametrize(("maximum", "expected"), [(2, 2), (10, 4), (None, 4)])
def test_pollers_of_an_sqs_mapping(maximum: int | None, expected: int) -> None:
    store = Store(None)
    sqs = Sqs(store, account="123456789012")
    sqs.call("CreateQueue", {"QueueName": "work"})
    functions = Functions(
        store, runner=InProcessRunner(), region="us-east-1", account="123456789012", clock=time.time
    )
    pollers = MappingPollers(
        functions, sqs=sqs, streams=sqs, compile_pattern=compiled, local_limit=4
    )
    config = {
        "UUID": "u-1",
        "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:starter",
        "EventSourceArn": QUEUE_ARN,
        "BatchSize": 10,
        **({"ScalingConfig": {"MaximumConcurrency": maximum}} if maximum else {}),
    }
    assert len(pollers._pollers(config)) == expected
    store.close()
