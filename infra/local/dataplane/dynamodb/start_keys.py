"""ExclusiveStartKey (a LastEvaluatedKey given back): where a Query or Scan continues.

For a table it is the item's key; for an index, the index's key and the table's (the index
may hold many items under one index key)."""

from __future__ import annotations

from typing import Any

from infra.local.dataplane.dynamodb import keys
from infra.local.dataplane.dynamodb.spec import Index, TableSpec
from infra.local.dataplane.dynamodb.values import Item, canonical_item
from infra.local.dataplane.errors import AwsError, validation


def _invalid() -> AwsError:
    return validation(
        "The provided starting key is invalid: The provided key element does not match the schema"
    )


def parse_start(
    raw: Any, spec: TableSpec, index: Index | None
) -> tuple[Item, keys.Location, keys.IndexLocation | None] | None:
    if raw is None:
        return None
    start = canonical_item(raw)[0]
    wanted = set(spec.key_names) | ({k.name for k in index.keys} if index else set())
    if set(start) != wanted:
        raise _invalid()
    try:
        at = keys.locate_key(spec, keys.key_of(spec, start))
        place = keys.index_location(index, start) if index else None
    except AwsError as bad:
        raise _invalid() from bad
    if index is not None and place is None:
        raise _invalid()
    return start, at, place


def last_key(spec: TableSpec, index: Index | None) -> Any:
    names = [k.name for k in spec.keys] + ([k.name for k in index.keys] if index else [])

    def key(item: Item) -> Item:
        return {n: item[n] for n in dict.fromkeys(names)}

    return key
