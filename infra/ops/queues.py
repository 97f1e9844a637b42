"""The stack's dead-letter queues, each with its source queue when one feeds it.

A source queue's RedrivePolicy names its DLQ. A DLQ no queue feeds (an EventBridge target DLQ,
a Lambda DLQ, a stream's on-failure destination) has no source: its messages are redriven by
other means (``dlq.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from infra.ops.target import Target


@dataclass(frozen=True)
class DeadLetterQueue:
    label: str
    """The logical id (``WorkflowStartDLQ``), or the queue name."""
    url: str
    source_label: str | None = None
    source_url: str | None = None
    max_receive_count: int | None = None

    @property
    def name(self) -> str:
        return queue_name(self.url)

    def matches(self, wanted: str) -> bool:
        names = {self.label, self.name, self.source_label, _name(self.source_url)}
        return wanted.lower() in {n.lower() for n in names if n}


def queue_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _name(url: str | None) -> str | None:
    return queue_name(url) if url else None


def queue_arn(sqs: Any, url: str) -> str:
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return arn


def queue_depth(sqs: Any, url: str) -> int:
    """ApproximateNumberOfMessages: visible messages, without receiving any."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def dead_letter_queues(target: Target) -> list[DeadLetterQueue]:
    sqs = target.client("sqs")
    refs = target.config.queues
    urls = {queue_name(u): u for r in refs.values() for u in (r.url, r.dlq_url) if u}
    labels = {r.dlq_url: label for label, r in refs.items() if r.dlq_url and not r.url}
    found: dict[str, DeadLetterQueue] = {}
    for label, ref in refs.items():
        if not ref.url:
            continue
        policy = _redrive_policy(sqs, ref.url)
        dlq_url = ref.dlq_url
        if dlq_url is None and policy:
            dlq_name = policy["deadLetterTargetArn"].rsplit(":", 1)[-1]
            dlq_url = urls.get(dlq_name) or _url(sqs, dlq_name)
        if dlq_url:
            count = policy.get("maxReceiveCount")
            found[dlq_url] = DeadLetterQueue(
                labels.get(dlq_url) or queue_name(dlq_url),
                dlq_url,
                label,
                ref.url,
                int(count) if count else None,
            )
    for url, label in labels.items():
        found.setdefault(url, DeadLetterQueue(label, url))
    return sorted(found.values(), key=lambda q: q.label)


def _redrive_policy(sqs: Any, url: str) -> dict[str, Any]:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
    raw = attributes.get("Attributes", {}).get("RedrivePolicy")
    policy: dict[str, Any] = json.loads(raw) if raw else {}
    return policy


def _url(sqs: Any, name: str) -> str:
    url: str = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return url
