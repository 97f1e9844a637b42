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


def test_a_poller_stopped_while_it_waited_hands_its_messages_back() -> None:
    """A mapping disabled while its poller's long poll is out delivers nothing more: what that
    poll received is visible again at once, for whoever receives next."""
    from infra.local.dataplane.functions.pollers import Mapping
    from infra.local.dataplane.functions.sqs_poller import SqsPoller

    store = Store(None)
    sqs = Sqs(store, account="123456789012")
    url = sqs.call("CreateQueue", {"QueueName": "work"})["QueueUrl"]
    sqs.call("SendMessage", {"QueueUrl": url, "MessageBody": "start"})
    invoked: list[bytes] = []
    config = {
        "UUID": "u-1",
        "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:starter",
        "EventSourceArn": QUEUE_ARN,
        "BatchSize": 1,
    }

    class DisabledDuringReceive:
        def call(self, operation: str, params: dict) -> dict:  # type: ignore[type-arg]
            answer = sqs.call(operation, params)
            if operation == "ReceiveMessage":
                poller.stop()  # the disable lands while the receive is out
            return answer

    poller = SqsPoller(
        Mapping.of(config, compiled),
        lambda function, event: invoked.append(event) or (None, b"{}"),  # type: ignore[func-returns-value]
        DisabledDuringReceive(),
        "us-east-1",
    )
    poller.poll()
    assert invoked == []
    again = sqs.call("ReceiveMessage", {"QueueUrl": url})["Messages"]
    assert [m["Body"] for m in again] == ["start"]
    store.close()
