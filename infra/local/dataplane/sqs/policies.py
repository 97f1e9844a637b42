"""The attributes that name other queues: RedrivePolicy (the DLQ must exist and be of the same
type) and RedriveAllowPolicy (which sources may use this queue as their DLQ)."""

from __future__ import annotations

import json
import sqlite3

from infra.local.dataplane.sqs.errors import invalid_value
from infra.local.dataplane.sqs.queue import by_arn

MAX_RECEIVE_COUNT = 1000


def redrive_policy(
    db: sqlite3.Connection, value: str, source_arn: str, fifo: bool, region: str
) -> str:
    """The policy in SQS's canonical form (``maxReceiveCount`` a number); "" removes it."""
    if not value:
        return ""
    policy = json.loads(value)
    arn, count = policy.get("deadLetterTargetArn"), policy.get("maxReceiveCount")
    if not isinstance(arn, str) or count is None:
        raise invalid_value(
            "RedrivePolicy",
            value,
            "Redrive policy is not a dict or does not contain deadLetterTargetArn or "
            "maxReceiveCount.",
        )
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= MAX_RECEIVE_COUNT:
        raise invalid_value(
            "RedrivePolicy",
            value,
            f"Invalid value for maxReceiveCount: {policy.get('maxReceiveCount')}, valid values "
            f"are from 1 to {MAX_RECEIVE_COUNT} both inclusive.",
        )
    dlq = by_arn(db, arn, region)
    if dlq is None:
        raise invalid_value("RedrivePolicy", value, "Dead letter target does not exist.")
    if dlq.fifo != fifo:
        raise invalid_value(
            "RedrivePolicy", value, "Dead-letter queue must be same type of queue as the source."
        )
    if not allows(dlq.stored.get("RedriveAllowPolicy"), source_arn):
        raise invalid_value(
            "RedrivePolicy", value, "The dead-letter queue's RedriveAllowPolicy refuses this queue."
        )
    return json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": count}, separators=(",", ":"))


def redrive_allow_policy(value: str) -> str:
    if not value:
        return ""
    policy = json.loads(value)
    permission = policy.get("redrivePermission")
    sources = policy.get("sourceQueueArns")
    if permission not in ("allowAll", "denyAll", "byQueue"):
        raise invalid_value("RedriveAllowPolicy", value, "Invalid value for redrivePermission.")
    if permission == "byQueue" and not (isinstance(sources, list) and 1 <= len(sources) <= 10):
        raise invalid_value("RedriveAllowPolicy", value, "byQueue needs 1 to 10 sourceQueueArns.")
    if permission != "byQueue" and sources:
        raise invalid_value(
            "RedriveAllowPolicy", value, "sourceQueueArns is allowed only with byQueue."
        )
    return json.dumps(policy, separators=(",", ":"))


def allows(dlq_allow_policy: str | None, source_arn: str) -> bool:
    """Whether a DLQ's RedriveAllowPolicy lets ``source_arn`` name it."""
    if not dlq_allow_policy:
        return True
    policy = json.loads(dlq_allow_policy)
    permission = policy.get("redrivePermission")
    if permission == "denyAll":
        return False
    return permission != "byQueue" or source_arn in policy.get("sourceQueueArns", [])
