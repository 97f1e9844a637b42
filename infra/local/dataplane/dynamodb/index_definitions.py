"""The secondary indexes of a CreateTable request, checked as DynamoDB checks them."""

from __future__ import annotations

from typing import Any

from infra.local.dataplane.dynamodb.definition_checks import (
    check_name,
    key_schema,
    projection,
    throughput,
)
from infra.local.dataplane.dynamodb.spec import Index, Key
from infra.local.dataplane.dynamodb.values import invalid

MAX_GSI, MAX_LSI = 20, 5


def index_definitions(
    params: dict[str, Any], types: dict[str, str], table: tuple[Key, Key | None], billing: str
) -> list[Index]:
    found: list[Index] = []
    for local, field, limit in (
        (False, "GlobalSecondaryIndexes", MAX_GSI),
        (True, "LocalSecondaryIndexes", MAX_LSI),
    ):
        given = params.get(field)
        if given is None:
            continue
        if not given:
            raise invalid(f"List of {field} is empty")
        if len(given) > limit:
            raise invalid(f"Too many {field}: at most {limit}")
        for raw in given:
            name = check_name(raw.get("IndexName"), "indexName")
            if any(i.name == name for i in found):
                raise invalid(f"Duplicate index name: {name}")
            hash_key, range_key = key_schema(raw.get("KeySchema"), types, name)
            if local:
                if table[1] is None:
                    raise invalid(
                        "Table KeySchema does not have a range key, which is required when "
                        "specifying a LocalSecondaryIndex"
                    )
                if hash_key != table[0] or range_key is None:
                    raise invalid(
                        "Index KeySchema does not have the same leading hash key as table "
                        f"KeySchema for index: {name}. index hash key: {hash_key.name}, table "
                        f"hash key: {table[0].name}"
                    )
            kind, extra = projection(raw.get("Projection"), name)
            units = None if local else throughput(raw.get("ProvisionedThroughput"), billing, name)
            found.append(Index(name, local, hash_key, range_key, kind, extra, units))
    return found
