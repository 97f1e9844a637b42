"""Query: one partition of a table or an index, in sort key order, as pages."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from infra.local.dataplane.dynamodb import capacity, keys, sources
from infra.local.dataplane.dynamodb.base import Base, refuse_legacy
from infra.local.dataplane.dynamodb.expressions.env import Env
from infra.local.dataplane.dynamodb.expressions.key_condition import key_range
from infra.local.dataplane.dynamodb.expressions.nodes import Condition, Path
from infra.local.dataplane.dynamodb.expressions.request import Expressions
from infra.local.dataplane.dynamodb.paging import read_page, view
from infra.local.dataplane.dynamodb.spec import Index, Key, TableSpec
from infra.local.dataplane.dynamodb.start_keys import last_key, parse_start
from infra.local.dataplane.errors import validation
from infra.local.dataplane.service import Params


def page_limit(params: Params) -> int | None:
    limit = params.get("Limit")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise validation(
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1"
        )
    return limit


def index_of(spec: TableSpec, params: Params) -> Index | None:
    name = params.get("IndexName")
    if name is None:
        return None
    index = spec.index(name)
    if index is None:
        raise validation(f"The table does not have the specified index: {name}")
    if params.get("ConsistentRead") and not index.local:
        raise validation("Consistent reads are not supported on global secondary indexes")
    return index


class QueryOperations(Base):
    def query(self, params: Params) -> Params:
        refuse_legacy(params)
        if "KeyConditionExpression" not in params:
            raise validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified "
                "in the request."
            )
        chosen, limit = capacity.mode(params), page_limit(params)
        found = Expressions(params)
        forward = params.get("ScanIndexForward", True) is not False
        with self.store.read() as db:
            spec = self.catalog.get(db, params.get("TableName"))
            index = index_of(spec, params)
            hash_key, range_key = (index.hash, index.range) if index else (spec.hash, spec.range)
            parsed, env = found.condition("KeyConditionExpression")  # type: ignore[misc]
            wanted = key_range(parsed, env, hash_key, range_key)
            filtered = found.condition("FilterExpression")
            if filtered is not None:
                _no_keys_in_filter(filtered[0].tree, filtered[1], (hash_key, range_key))
            shown = view(params, spec, index, found)
            start = parse_start(params.get("ExclusiveStartKey"), spec, index)
            pk = keys.scalar_bytes(hash_key.type, wanted.partition)
            h = keys.partition_hash(pk)
            if start is not None and start[0][hash_key.name] != wanted.partition:
                raise validation(
                    "The provided starting key is outside query boundaries based on provided "
                    "conditions"
                )
            if index is None:
                after: tuple[bytes, ...] | None = (start[1][2],) if start else None
                statement = sources.table_query(spec.tid, h, pk, wanted, after, forward, limit)
            else:
                after = (start[2][2], start[1][1], start[1][2]) if start and start[2] else None
                statement = sources.index_query(
                    spec.tid, index.name, h, pk, wanted, after, forward, limit
                )
            out, size = read_page(db, statement, shown, limit, last_key(spec, index))
        units = capacity.read_units(size, bool(params.get("ConsistentRead")))
        index_name = index.name if index and not index.local else None
        return capacity.add_to(
            out, capacity.consumed(chosen, spec.name, units, write=False, index=index_name)
        )


def _no_keys_in_filter(tree: Condition, env: Env, key_attrs: tuple[Key | None, ...]) -> None:
    names = {k.name for k in key_attrs if k is not None}
    for path in _paths(tree):
        first = path.resolved(env)[0]
        if first in names:
            raise validation(
                f"Filter Expression can only contain non-primary key attributes: Primary key "
                f"attribute: {first}"
            )


def _paths(node: object) -> Iterator[Path]:
    if isinstance(node, Path):
        yield node
    elif isinstance(node, tuple):
        for part in node:
            yield from _paths(part)
    elif dataclasses.is_dataclass(node):
        for field in dataclasses.fields(node):
            yield from _paths(getattr(node, field.name))
