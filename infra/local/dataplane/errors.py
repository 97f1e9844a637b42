"""An AWS error as the service would answer it: code, message, HTTP status, modelled fields."""

from __future__ import annotations

from typing import Any


class AwsError(Exception):
    """Raised by a service operation; the server renders it in the service's wire protocol.

    ``fields`` are the error shape's modelled members (DynamoDB's ``Item`` on a failed
    condition, ``CancellationReasons`` on a cancelled transaction), which botocore parses
    into the caller's ``ClientError.response``.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 400,
        *,
        sender: bool = True,
        query_code: str | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status
        self.sender = sender
        self.query_code = query_code
        """SQS's legacy (query protocol) code, e.g. ``AWS.SimpleQueueService.NonExistentQueue``."""
        self.fields = fields


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def not_found(code: str, message: str) -> AwsError:
    return AwsError(code, message, 400)


def unknown_operation(service: str, operation: str) -> AwsError:
    return AwsError(
        "UnknownOperationException",
        f"{service} operation {operation} is not emulated by the local stack "
        "(docs/local-stack.md lists what is)",
    )
