"""What every group of DynamoDB operations shares: the store, the table catalog, the clock,
and the request checks common to many operations."""

from __future__ import annotations

from collections.abc import Callable

from infra.local.dataplane.dynamodb.catalog import Catalog
from infra.local.dataplane.errors import validation
from infra.local.dataplane.service import JsonService, Params
from infra.local.dataplane.store import Store

LEGACY = (
    "Expected",
    "AttributeUpdates",
    "KeyConditions",
    "QueryFilter",
    "ScanFilter",
    "AttributesToGet",
    "ConditionalOperator",
)
_INSTEAD = {
    "Expected": "ConditionExpression",
    "AttributeUpdates": "UpdateExpression",
    "KeyConditions": "KeyConditionExpression",
    "QueryFilter": "FilterExpression",
    "ScanFilter": "FilterExpression",
    "AttributesToGet": "ProjectionExpression",
    "ConditionalOperator": "a ConditionExpression or FilterExpression",
}


class Base(JsonService):
    store: Store
    catalog: Catalog
    clock: Callable[[], float]
    region: str
    account: str

    def table_arn(self, name: str) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{name}"


def refuse_legacy(params: Params) -> None:
    """The pre-expression parameters are not emulated: say so rather than ignore them."""
    for name in LEGACY:
        if name in params:
            raise validation(
                f"{name} is a legacy parameter that the local stack does not emulate; "
                f"use {_INSTEAD[name]}"
            )


def choice(params: Params, name: str, allowed: tuple[str, ...], default: str = "NONE") -> str:
    value = params.get(name, default)
    if value not in allowed:
        if name == "ReturnValues":
            raise validation("Return values set to invalid value")
        raise validation(
            f"1 validation error detected: Value '{value}' at '{name[0].lower()}{name[1:]}' "
            f"failed to satisfy constraint: Member must satisfy enum value set: "
            f"[{', '.join(allowed)}]"
        )
    return str(value)
