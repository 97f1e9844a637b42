"""Handlers for the local Lambda runtime's tests (tests/workflow/test_local_lambda_runtime.py)."""

from __future__ import annotations

import os
from typing import Any


class PaymentDeclined(Exception):
    """Named like a domain error: the envelope's errorType must be exactly this name."""


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {
        "event": event,
        "greeting": os.environ.get("GREETING"),
        "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "requestId": context.aws_request_id,
        "memory": context.memory_limit_in_mb,
        "arn": context.invoked_function_arn,
        "remainingMs": context.get_remaining_time_in_millis(),
    }


def decline(event: dict[str, Any], context: Any) -> None:
    raise PaymentDeclined("card_declined")


def unserializable(event: dict[str, Any], context: Any) -> object:
    return object()


RECEIVED: list[dict[str, Any]] = []


def remember(event: dict[str, Any], context: Any) -> None:
    RECEIVED.append(event)


def start_workflow(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Like the workflow starter: reads a variable its function defines and others don't."""
    return {"arn": os.environ["RACE_STATE_MACHINE_ARN"], "shared": os.environ["RACE_SHARED"]}


def build_client(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Like any task building a boto3 client: botocore and urllib read the whole environment
    (names first, then each value)."""
    seen = dict(os.environ.items())
    return {"shared": seen["RACE_SHARED"], "function": seen["AWS_LAMBDA_FUNCTION_NAME"]}
