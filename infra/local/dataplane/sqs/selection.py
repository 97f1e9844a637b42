"""Which attributes a ReceiveMessage returns, and a received message as SQS renders it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from infra.local.dataplane.sqs.digest import md5_attributes
from infra.local.dataplane.sqs.storage import sequence_number

ROW = (
    "id, message_id, body, md5_body, attributes, trace_header, sender, sent, receives, "
    "first_receive, group_id, dedup_id, dlq_source, visible"
)
"""The columns a receive reads, in the order ``Row`` takes them."""


@dataclass(frozen=True)
class Row:
    id: int
    message_id: str
    body: str
    md5_body: str
    attributes: str | None
    trace_header: str | None
    sender: str
    sent: int
    receives: int
    first_receive: int | None
    group_id: str | None
    dedup_id: str | None
    dlq_source: str | None
    visible: float


@dataclass(frozen=True)
class Selection:
    system: frozenset[str]
    user: tuple[str, ...]

    @classmethod
    def of(cls, params: dict[str, Any]) -> Selection:
        names = [
            *(params.get("AttributeNames") or []),
            *(params.get("MessageSystemAttributeNames") or []),
        ]
        return cls(frozenset(names), tuple(params.get("MessageAttributeNames") or ()))

    def wants(self, name: str) -> bool:
        return "All" in self.system or name in self.system

    def wants_user(self, name: str) -> bool:
        for wanted in self.user:
            if wanted in ("All", ".*") or wanted == name:
                return True
            if wanted.endswith(".*") and name.startswith(wanted[:-1]):
                return True
        return False


def rendered(row: Row, handle: str, selection: Selection, fifo: bool) -> dict[str, Any]:
    message: dict[str, Any] = {
        "MessageId": row.message_id,
        "ReceiptHandle": handle,
        "MD5OfBody": row.md5_body,
        "Body": row.body,
    }
    system = {k: v for k, v in _system(row, fifo).items() if selection.wants(k)}
    if system:
        message["Attributes"] = system
    stored = json.loads(row.attributes) if row.attributes else {}
    user = {k: v for k, v in stored.items() if selection.wants_user(k)}
    if user:
        message["MessageAttributes"] = user
        message["MD5OfMessageAttributes"] = md5_attributes(user)
    return message


def _system(row: Row, fifo: bool) -> dict[str, str]:
    found = {
        "SenderId": row.sender,
        "SentTimestamp": str(row.sent),
        "ApproximateReceiveCount": str(row.receives),
        "ApproximateFirstReceiveTimestamp": str(row.first_receive),
    }
    if row.trace_header:
        found["AWSTraceHeader"] = row.trace_header
    if row.dlq_source:
        found["DeadLetterQueueSourceArn"] = row.dlq_source
    if row.group_id is not None:
        found["MessageGroupId"] = row.group_id
    if fifo:
        found["SequenceNumber"] = sequence_number(row.id)
        found["MessageDeduplicationId"] = str(row.dedup_id)
    return found
