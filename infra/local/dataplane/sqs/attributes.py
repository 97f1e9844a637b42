"""Queue attributes as SQS validates and stores them: every value a string, normalised so
that a second CreateQueue with the same attributes compares equal to the first."""

from __future__ import annotations

import json
from collections.abc import Mapping

from infra.local.dataplane.sqs.errors import sqs_error

MAX_MESSAGE_BYTES = 1_048_576
"""SQS's limit since August 2025 (1 MiB): the default and the maximum of MaximumMessageSize."""

DEFAULTS = {
    "DelaySeconds": "0",
    "MaximumMessageSize": str(MAX_MESSAGE_BYTES),
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",
}
FIFO_DEFAULTS = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}
RANGES = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, MAX_MESSAGE_BYTES),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43_200),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}
BOOLEANS = {"SqsManagedSseEnabled", "ContentBasedDeduplication", "FifoQueue"}
CHOICES = {
    "DeduplicationScope": {"messageGroup", "queue"},
    "FifoThroughputLimit": {"perQueue", "perMessageGroupId"},
}
FIFO_ONLY = {"ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"}
JSON_VALUED = {"Policy", "RedrivePolicy", "RedriveAllowPolicy"}
SETTABLE = {*RANGES, *BOOLEANS, *CHOICES, *JSON_VALUED, "KmsMasterKeyId"}
READ_ONLY = {
    "All",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
}


def unknown(name: str) -> Exception:
    return sqs_error("InvalidAttributeName", f"Unknown Attribute {name}.")


def bad_value(name: str) -> Exception:
    return sqs_error("InvalidAttributeValue", f"Invalid value for the parameter {name}.")


def normalised(given: Mapping[str, object], fifo: bool) -> dict[str, str]:
    """The attributes of a CreateQueue/SetQueueAttributes, checked one by one."""
    out: dict[str, str] = {}
    for name, raw in given.items():
        if name not in SETTABLE or (name in FIFO_ONLY and not fifo):
            raise unknown(name)
        out[name] = _value(name, str(raw))
    return out


def _value(name: str, value: str) -> str:
    if name in RANGES:
        low, high = RANGES[name]
        if not value.lstrip("-").isdigit() or not low <= int(value) <= high:
            raise bad_value(name)
        return str(int(value))
    if name in BOOLEANS:
        if value.lower() not in ("true", "false"):
            raise bad_value(name)
        return value.lower()
    if name in CHOICES:
        if value not in CHOICES[name]:
            raise bad_value(name)
        return value
    if name in JSON_VALUED and value:
        try:
            parsed = json.loads(value)
        except ValueError:
            raise bad_value(name) from None
        if not isinstance(parsed, dict):
            raise bad_value(name)
    return value


def effective(stored: Mapping[str, str], fifo: bool) -> dict[str, str]:
    """What a queue's settable attributes are, defaults included."""
    return {**DEFAULTS, **(FIFO_DEFAULTS if fifo else {}), **stored}
