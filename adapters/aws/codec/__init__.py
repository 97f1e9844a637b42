"""Translations between the domain and AWS shapes: DynamoDB items, outbox items, stream images,
EventBridge entries. The domain stays snake_case and typed; the edge is camelCase and strings
for money (never floats)."""

from adapters.aws.codec.events import (
    event_from_detail,
    event_from_outbox_image,
    event_from_outbox_item,
    event_to_detail,
    event_to_entry,
    event_to_outbox_item,
    is_outbox_image,
)
from adapters.aws.codec.orders import order_from_item, order_to_item
from adapters.aws.codec.values import (
    from_attribute_values,
    iso,
    money_from,
    money_to,
    parse_iso,
    to_attribute_values,
)

__all__ = [
    "event_from_detail",
    "event_from_outbox_image",
    "event_from_outbox_item",
    "event_to_detail",
    "event_to_entry",
    "event_to_outbox_item",
    "from_attribute_values",
    "is_outbox_image",
    "iso",
    "money_from",
    "money_to",
    "order_from_item",
    "order_to_item",
    "parse_iso",
    "to_attribute_values",
]
