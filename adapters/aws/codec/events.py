"""Domain events <-> the event's ``detail`` (camelCase), outbox items, stream images and
EventBridge entries.

The detail is derived from each event dataclass's fields, so a new event type needs no code
here. ``eventId`` (order id + version) is what consumers deduplicate on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, get_args, get_origin, get_type_hints

from adapters.aws import keys
from adapters.aws.codec.values import (
    from_attribute_values,
    iso,
    money_from,
    money_to,
    parse_iso,
)
from domain.events import EVENT_TYPES, DomainEvent
from domain.money import Money

_ENVELOPE = ("order_id", "version", "occurred_at")


def event_to_detail(event: DomainEvent) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "orderId": event.order_id,
        "version": event.version,
        "occurredAt": iso(event.occurred_at),
        "eventId": event.event_id,
    }
    for f in fields(event):
        if f.name not in _ENVELOPE:
            detail[_camel(f.name)] = _plain(getattr(event, f.name))
    return detail


def event_from_detail(event_type: str, detail: Mapping[str, Any]) -> DomainEvent:
    """The inverse of ``event_to_detail``; unknown extra keys are ignored (tolerant reader)."""
    cls = EVENT_TYPES.get(event_type)
    if cls is None:
        raise ValueError(f"unknown event type {event_type!r}")
    event: DomainEvent = _typed(cls, detail)
    return event


def event_to_outbox_item(event: DomainEvent, expires_at: int) -> dict[str, Any]:
    return {
        "PK": keys.order_pk(event.order_id),
        "SK": keys.event_sk(event.version),
        "eventType": event.name,
        "eventId": event.event_id,
        "occurredAt": iso(event.occurred_at),
        "detail": event_to_detail(event),
        "expiration": expires_at,
    }


def event_from_outbox_item(item: Mapping[str, Any]) -> DomainEvent:
    return event_from_detail(item["eventType"], item["detail"])


def is_outbox_image(image: Mapping[str, Any]) -> bool:
    """True for a stream image (DynamoDB typed JSON) of an outbox item."""
    sort_key = image.get("SK", {}).get("S", "")
    return isinstance(sort_key, str) and sort_key.startswith(keys.EVENT_SK_PREFIX)


def event_from_outbox_image(new_image: Mapping[str, Any]) -> DomainEvent:
    """A stream record's NewImage of an outbox item -> the domain event it recorded."""
    if not is_outbox_image(new_image):
        raise ValueError("not an outbox item")
    return event_from_outbox_item(from_attribute_values(new_image))


def event_to_entry(
    event: DomainEvent, *, bus_name: str, source: str, trace_header: str | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "EventBusName": bus_name,
        "Source": source,
        "DetailType": event.name,
        "Detail": json.dumps(event_to_detail(event), separators=(",", ":"), ensure_ascii=False),
        "Time": event.occurred_at,
        "Resources": [],
    }
    if trace_header:
        entry["TraceHeader"] = trace_header
    return entry


# ----- generic (de)serialisation of the event dataclasses ---------------------------------
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _plain(value: Any) -> Any:
    if isinstance(value, Money):
        return money_to(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {_camel(f.name): _plain(getattr(value, f.name)) for f in fields(value)}
    if value is None or isinstance(value, str | int | bool):
        return value
    raise TypeError(f"no edge encoding for {type(value).__name__}")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _typed(tp: Any, value: Any) -> Any:
    if get_origin(tp) is tuple:
        element = get_args(tp)[0]
        return tuple(_typed(element, v) for v in _expect(value, list))
    if tp is str:
        return _expect(value, str)
    if tp is int:
        return _integer(value)
    if tp is datetime:
        return parse_iso(_expect(value, str))
    if tp is Money:
        return money_from(_expect(value, Mapping))
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(value)
    if isinstance(tp, type) and is_dataclass(tp):
        data = _expect(value, Mapping)
        hints = _hints(tp)
        try:
            return tp(**{f.name: _typed(hints[f.name], data[_camel(f.name)]) for f in fields(tp)})
        except KeyError as missing:
            raise ValueError(f"{tp.__name__} detail lacks {missing}") from None
    raise TypeError(f"no edge decoding for {tp!r}")


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(f"expected an integer, got {type(value).__name__}")
    if value != int(value):
        raise ValueError("expected an integer")
    return int(value)


def _expect(value: Any, kind: Any) -> Any:
    if not isinstance(value, kind):
        raise ValueError(f"expected {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
    return value
