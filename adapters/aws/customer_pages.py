"""A customer's orders, newest first, one page at a time (GSI1)."""

from __future__ import annotations

from typing import Any

from adapters.aws import keys
from adapters.aws.codec import from_attribute_values, to_attribute_values
from adapters.aws.cursor import decode_cursor, encode_cursor


def read_page(
    ddb: Any, table: str, customer_id: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Return up to ``limit`` order items and the cursor of the next page (None on the last).

    Reads one order past the page to know whether another page exists, so the last page never
    points to an empty one. The partition comes from ``customer_id``, never from the cursor.
    GSI1 is eventually consistent: an order placed a moment ago may not be listed yet.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    partition = keys.customer_pk(customer_id)
    start: dict[str, Any] | None = None
    if cursor is not None:
        sort_key, order_id = decode_cursor(cursor)
        start = to_attribute_values(
            {
                "PK": keys.order_pk(order_id),
                "SK": keys.ORDER_SK,
                "GSI1PK": partition,
                "GSI1SK": sort_key,
            }
        )
    items: list[dict[str, Any]] = []
    while len(items) <= limit:  # more than one Query only when the 1 MB page limit cuts in
        request: dict[str, Any] = {
            "TableName": table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": "GSI1PK = :customer",
            "ExpressionAttributeValues": {":customer": {"S": partition}},
            "ScanIndexForward": False,
            "Limit": limit + 1 - len(items),
        }
        if start is not None:
            request["ExclusiveStartKey"] = start
        response = ddb.query(**request)
        items.extend(from_attribute_values(i) for i in response.get("Items", []))
        start = response.get("LastEvaluatedKey")
        if start is None:
            break
    page = items[:limit]
    return page, encode_cursor(page[-1]["GSI1SK"]) if len(items) > limit else None
