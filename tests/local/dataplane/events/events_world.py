"""What the EventBridge tests share: EventBridge and SQS served together on one store, the
default delivery (queues to that SQS, functions and state machines remembered), a clock the
test moves, and helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from infra.local.dataplane.events import Events, LocalDelivery
from infra.local.dataplane.sqs import Sqs
from infra.local.dataplane.store import Store
from tests.support.clock import FakeClock
from tests.support.dataplane import Served
from tests.support.dataplane_slots import Slot, install

ACCOUNT = "123456789012"
BUS = "orderflow"


@dataclass
class Services:
    store: Store
    sqs: Sqs
    events: Events
    delivery: LocalDelivery


def build(store: Store, clock: FakeClock) -> Services:
    sqs = Sqs(store, clock=clock, endpoint="http://localhost:4566")
    clock.on_advance(sqs.clock_moved)
    delivery = LocalDelivery(store, sqs)
    return Services(store, sqs, Events(store, clock=clock, deliver=delivery), delivery)


@dataclass
class World:
    clock: FakeClock
    services: Services
    served: Served
    slots: dict[str, Slot]
    events: Any
    sqs: Any

    def install(self, services: Services) -> None:
        self.services = services
        install(self.slots["AmazonSQS"], services.sqs)
        install(self.slots["AWSEvents"], services.events)

    def bus(self, name: str = BUS) -> str:
        arn: str = self.events.create_event_bus(Name=name)["EventBusArn"]
        return arn

    def queue(self, name: str, **attributes: str) -> tuple[str, str]:
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        found = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return url, found["Attributes"]["QueueArn"]

    def rule(
        self, name: str, pattern: dict[str, Any], *targets: dict[str, Any], bus: str = BUS
    ) -> str:
        arn: str = self.events.put_rule(
            Name=name, EventBusName=bus, EventPattern=json.dumps(pattern)
        )["RuleArn"]
        if targets:
            self.events.put_targets(Rule=name, EventBusName=bus, Targets=list(targets))
        return arn

    def put(
        self,
        *details: dict[str, Any],
        bus: str = BUS,
        source: str = "orderflow.orders",
        detail_type: str = "OrderPlaced",
    ) -> dict[str, Any]:
        entries = [
            {
                "EventBusName": bus,
                "Source": source,
                "DetailType": detail_type,
                "Detail": json.dumps(d),
            }
            for d in details
        ]
        answer: dict[str, Any] = self.events.put_events(Entries=entries)
        return answer

    def drain(self, url: str) -> list[dict[str, Any]]:
        """Every message now in the queue (received with all attributes, then deleted)."""
        out: list[dict[str, Any]] = []
        while batch := self.sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        ).get("Messages"):
            for message in batch:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            out += batch
        return out

    def bodies(self, url: str) -> list[Any]:
        return [json.loads(m["Body"]) for m in self.drain(url)]

    def raw_bodies(self, url: str) -> list[str]:
        return [m["Body"] for m in self.drain(url)]


def event(**fields: Any) -> dict[str, Any]:
    """A full event, as TestEventPattern takes it, with ``fields`` over the defaults."""
    base = {
        "version": "0",
        "id": "e-1",
        "detail-type": "OrderPlaced",
        "source": "orderflow.orders",
        "account": ACCOUNT,
        "time": "2026-01-01T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {},
    }
    return {**base, **fields}
