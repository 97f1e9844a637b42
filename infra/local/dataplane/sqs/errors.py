"""SQS's errors as its JSON protocol answers them: the shape name as ``__type`` and the legacy
query code in ``x-amzn-query-error``, from which botocore takes ``Error.Code`` (what callers
compare) and the modelled exception (``client.exceptions.QueueDoesNotExist``)."""

from __future__ import annotations

from infra.local.dataplane.errors import AwsError

QUERY_CODES = {
    "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
    "QueueNameExists": "QueueAlreadyExists",
    "QueueDeletedRecently": "AWS.SimpleQueueService.QueueDeletedRecently",
    "PurgeQueueInProgress": "AWS.SimpleQueueService.PurgeQueueInProgress",
    "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight",
    "TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
    "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    "BatchRequestTooLong": "AWS.SimpleQueueService.BatchRequestTooLong",
    "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
    "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
}


def sqs_error(code: str, message: str) -> AwsError:
    return AwsError(code, message, query_code=QUERY_CODES.get(code, code))


def no_queue() -> AwsError:
    return sqs_error("QueueDoesNotExist", "The specified queue does not exist.")


def invalid(message: str) -> AwsError:
    return sqs_error("InvalidParameterValue", message)


def invalid_value(name: str, value: object, reason: str) -> AwsError:
    return invalid(f"Value {value} for parameter {name} is invalid. Reason: {reason}")


def missing(name: str) -> AwsError:
    return sqs_error("MissingParameter", f"The request must contain the parameter {name}.")


def bad_receipt(handle: str) -> AwsError:
    return sqs_error(
        "ReceiptHandleIsInvalid",
        f'The input receipt handle "{handle}" is not a valid receipt handle.',
    )


def not_for_queue_type(name: str, value: object) -> AwsError:
    return invalid_value(
        name, value, "The request include parameter that is not valid for this queue type."
    )
