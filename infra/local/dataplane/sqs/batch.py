"""The rules every SQS batch request shares: 1 to 10 entries, distinct well-formed ids; and
the shape of a failed entry."""

from __future__ import annotations

import re
from typing import Any

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.sqs.errors import sqs_error

MAX_ENTRIES = 10
_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")


def checked_entries(entries: object, kind: str) -> list[dict[str, Any]]:
    if not isinstance(entries, list) or not entries:
        raise sqs_error("EmptyBatchRequest", f"There should be at least one {kind} in the request.")
    if len(entries) > MAX_ENTRIES:
        raise sqs_error(
            "TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_ENTRIES}. "
            f"You have sent {len(entries)}.",
        )
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry.get("Id") if isinstance(entry, dict) else None
        if not isinstance(entry_id, str) or not _ID.fullmatch(entry_id):
            raise sqs_error(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and "
                "underscores. It can be at most 80 letters long.",
            )
        if entry_id in seen:
            raise sqs_error("BatchEntryIdsNotDistinct", f"Id {entry_id} repeated.")
        seen.add(entry_id)
    return entries


def failure(entry_id: str, error: AwsError) -> dict[str, Any]:
    return {
        "Id": entry_id,
        "SenderFault": error.sender,
        "Code": error.query_code or error.code,
        "Message": error.message,
    }
