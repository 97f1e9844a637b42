"""What the SQS tests share: a served SQS with a clock the test moves, and helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from infra.local.dataplane.sqs import Sqs
from infra.local.dataplane.store import Store
from tests.support.clock import FakeClock
from tests.support.dataplane import Served
from tests.support.dataplane_slots import Slot


@dataclass
class World:
    clock: FakeClock
    service: Sqs
    served: Served
    sqs: Any
    served_slot: Slot
    """Where the endpoint finds the service: a test may install another (a restart)."""

    def queue(self, name: str, **attributes: Any) -> str:
        given = {k: v if isinstance(v, str) else json.dumps(v) for k, v in attributes.items()}
        url: str = self.sqs.create_queue(QueueName=name, Attributes=given)["QueueUrl"]
        return url

    def arn(self, url: str) -> str:
        found = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return str(found["Attributes"]["QueueArn"])

    def with_dlq(self, name: str, max_receives: int = 2, **attributes: Any) -> tuple[str, str]:
        """A source queue and its dead-letter queue: (source URL, DLQ URL)."""
        suffix = ".fifo" if name.endswith(".fifo") else ""
        extra = {"FifoQueue": "true"} if suffix else {}
        dlq = self.queue(name.removesuffix(suffix) + "-dlq" + suffix, **extra)
        policy = {"deadLetterTargetArn": self.arn(dlq), "maxReceiveCount": max_receives}
        source = self.queue(name, RedrivePolicy=policy, **extra, **attributes)
        return source, dlq

    def depth(self, url: str) -> dict[str, int]:
        names = [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        found = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        return {
            k.removeprefix("ApproximateNumberOfMessages") or "Visible": int(v)
            for k, v in found.items()
        }


def build(store: Store, clock: FakeClock) -> Sqs:
    service = Sqs(store, clock=clock, endpoint="http://localhost:4566")
    clock.on_advance(service.clock_moved)
    return service


def bodies(answer: dict[str, Any]) -> list[str]:
    return [m["Body"] for m in answer.get("Messages", [])]
