"""Reference "handlers" for the cold-start table: what any function that reads DynamoDB once
pays, so the table shows how far above that floor each real handler is.

Everything happens in the call (nothing at import), so ``import + first use`` is the floor.
"""

from __future__ import annotations

import os
from typing import Any

_KEY = {"PK": {"S": "ORDER#floor"}, "SK": {"S": "ORDER"}}


def boto3_get_item(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A boto3 client and one GetItem."""
    import boto3

    boto3.client("dynamodb").get_item(TableName=os.environ["ORDERS_TABLE"], Key=_KEY)
    return {}


def with_pydantic_and_powertools(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The same, plus importing pydantic and making Powertools' Logger and Metrics."""
    import pydantic  # noqa: F401
    from aws_lambda_powertools import Logger, Metrics

    Logger(), Metrics()
    return boto3_get_item(event, context)


REFERENCES = {
    "floor: boto3 client + GetItem": "boto3_get_item",
    "floor + pydantic + Powertools Logger/Metrics": "with_pydantic_and_powertools",
}
