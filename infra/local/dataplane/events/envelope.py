"""PutEvents entries as EventBridge takes them, and the event they become.

Per request: at most 10 entries, and their total size (as AWS computes it: 14 bytes for a
given Time, the UTF-8 bytes of Source, DetailType, Detail and each Resources entry) at most
256 KiB, else ValidationException. Per entry: Source, DetailType and Detail required
(InvalidArgument), Detail a JSON object (MalformedDetail otherwise: an array, a string, a
number). The event: ``version``, ``id``, ``detail-type``, ``source``, ``account``, ``time``
(``YYYY-MM-DDTHH:MM:SSZ``, the entry's Time or now), ``region``, ``resources``, ``detail``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from infra.local.dataplane.events.errors import validation
from infra.local.dataplane.events.names import Arns
from infra.local.dataplane.events.transform import iso

MAX_ENTRIES = 10
MAX_REQUEST_BYTES = 256 * 1024


def entry_size(entry: Mapping[str, Any]) -> int:
    size = 14 if entry.get("Time") is not None else 0
    for name in ("Source", "DetailType", "Detail"):
        value = entry.get(name)
        size += len(value.encode()) if isinstance(value, str) else 0
    return size + sum(len(str(r).encode()) for r in entry.get("Resources") or ())


def checked_request(entries: object) -> list[dict[str, Any]]:
    if not isinstance(entries, list) or not entries:
        raise validation(
            "1 validation error detected: Value null at 'entries' failed to satisfy constraint: "
            "Member must not be null"
        )
    if len(entries) > MAX_ENTRIES:
        raise validation(
            f"1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed "
            f"to satisfy constraint: Member must have length less than or equal to {MAX_ENTRIES}"
        )
    if sum(entry_size(e) for e in entries if isinstance(e, dict)) > MAX_REQUEST_BYTES:
        raise validation("Total size of the entries in the request is over the limit.")
    return entries


def refusal(entry: Mapping[str, Any]) -> tuple[str, str] | None:
    """(ErrorCode, ErrorMessage) for an entry EventBridge fails, else None."""
    for name in ("Source", "DetailType", "Detail"):
        if not isinstance(entry.get(name), str) or not entry[name]:
            return (
                "InvalidArgument",
                f"Parameter {name} is not valid. Reason: {name} is a required argument.",
            )
    try:
        detail = json.loads(entry["Detail"])
    except ValueError:
        detail = None
    if not isinstance(detail, dict):
        return "MalformedDetail", "Detail is malformed."
    resources = entry.get("Resources") or []
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        return "InvalidArgument", "Parameter Resources is not valid."
    moment = entry.get("Time")
    if moment is not None and (isinstance(moment, bool) or not isinstance(moment, int | float)):
        return "InvalidArgument", "Parameter Time is not valid."
    return None


def envelope(entry: Mapping[str, Any], event_id: str, now: float, arns: Arns) -> dict[str, Any]:
    moment = entry.get("Time")
    return {
        "version": "0",
        "id": event_id,
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": arns.account,
        "time": iso(float(moment) if moment is not None else now),
        "region": arns.region,
        "resources": list(entry.get("Resources") or []),
        "detail": json.loads(entry["Detail"]),
    }
