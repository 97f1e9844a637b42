"""SQS delivery as the Lambda service does it: partial batch failures, redrive to the DLQ."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from tests.e2e.flows import order_body, place, wait_for
from tests.e2e.targets import Target

pytestmark = pytest.mark.e2e
DLQ_TIMEOUT = 60.0


def test_a_poison_message_is_dead_lettered_and_its_good_neighbour_is_not(target: Target) -> None:
    if target.kind == "aws":
        pytest.skip("with the template's 180 s visibility x 5 receives this takes 15 minutes")
    with target.http("e2e-dave") as api:
        order = place(api, order_body()).json()
        wait_for(api, order["orderId"], "COMPLETED")
    sqs = target.client("sqs")
    queue, dlq = target.names["workflow_queue"], target.names["workflow_dlq"]
    poison = f"not an event {uuid.uuid4()}"
    # A replayed OrderPlaced of a finished order: the starter handles it and starts nothing.
    good = json.dumps(
        {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "OrderPlaced",
            "source": "orderflow.orders",
            "account": "123456789012",
            "time": "2026-01-01T00:00:00Z",
            "region": "us-east-1",
            "resources": [],
            "detail": {"orderId": order["orderId"]},
        }
    )
    sent = sqs.send_message_batch(
        QueueUrl=queue,
        Entries=[{"Id": "poison", "MessageBody": poison}, {"Id": "good", "MessageBody": good}],
    )
    assert len(sent["Successful"]) == 2
    bodies = _dead_letters(sqs, dlq, expect=poison)
    assert poison in bodies
    assert good not in bodies
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def _dead_letters(sqs: object, dlq: str, expect: str) -> list[str]:
    deadline = time.monotonic() + DLQ_TIMEOUT
    bodies: list[str] = []
    while time.monotonic() < deadline and expect not in bodies:
        reply = sqs.receive_message(
            QueueUrl=dlq,
            MaxNumberOfMessages=10,  # type: ignore[attr-defined]
            WaitTimeSeconds=1,
            VisibilityTimeout=0,
        )
        bodies = [m["Body"] for m in reply.get("Messages", [])]
    return bodies
