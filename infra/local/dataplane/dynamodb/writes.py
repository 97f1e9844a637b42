"""One item write (Put, Update, Delete, ConditionCheck), as PutItem, UpdateItem, DeleteItem
and each action of TransactWriteItems share it: checked before any item is read (``plan``),
then decided against the stored item (``outcome``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from infra.local.dataplane.dynamodb import keys
from infra.local.dataplane.dynamodb.catalog import Catalog
from infra.local.dataplane.dynamodb.expressions.request import Expressions
from infra.local.dataplane.dynamodb.expressions.update_apply import apply, targets
from infra.local.dataplane.dynamodb.spec import TableSpec
from infra.local.dataplane.dynamodb.storage import Stored
from infra.local.dataplane.dynamodb.values import Item, canonical_item, item_size
from infra.local.dataplane.errors import AwsError, validation

MAX_ITEM_BYTES = 400 * 1024
ALLOWED = {
    "Put": frozenset({"TableName", "Item", "ConditionExpression"}),
    "Update": frozenset({"TableName", "Key", "UpdateExpression", "ConditionExpression"}),
    "Delete": frozenset({"TableName", "Key", "ConditionExpression"}),
    "ConditionCheck": frozenset({"TableName", "Key", "ConditionExpression"}),
}


def condition_failed(old: Stored | None, return_old: bool) -> AwsError:
    if return_old and old is not None:
        return AwsError(
            "ConditionalCheckFailedException", "The conditional request failed", Item=old.item
        )
    return AwsError("ConditionalCheckFailedException", "The conditional request failed")


@dataclass
class Plan:
    kind: str
    spec: TableSpec
    at: keys.Location
    key: Item
    expressions: Expressions
    new: Stored | None = None
    """The item a Put writes, checked and sized."""
    return_old_on_failure: bool = False
    update_paths: list[Any] | None = None

    def passes(self, old: Stored | None) -> bool:
        found = self.expressions.condition("ConditionExpression")
        if found is None:
            return True
        parsed, env = found
        return parsed.tree.test(old.item if old else {}, env)

    def outcome(self, old: Stored | None) -> Stored | None:
        """The item after this write (None: absent); raises for a condition that fails."""
        if not self.passes(old):
            raise condition_failed(old, self.return_old_on_failure)
        if self.kind == "Put":
            return self.new
        if self.kind == "Delete":
            return None
        if self.kind == "ConditionCheck":
            return old
        return self._updated(old)

    def _updated(self, old: Stored | None) -> Stored:
        parsed = self.expressions.update()
        base = dict(old.item) if old else dict(self.key)
        if parsed is None:
            return Stored(base, old.size) if old else Stored(base, canonical_item(base)[1])
        item = apply(parsed.tree, base, self.expressions.update_env())
        keys.check_index_keys(self.spec, item)
        size = item_size(item)
        if size > MAX_ITEM_BYTES:
            raise validation("Item size to update has exceeded the maximum allowed size")
        return Stored(item, size)


def plan(db: sqlite3.Connection, catalog: Catalog, kind: str, params: dict[str, Any]) -> Plan:
    spec = catalog.get(db, params.get("TableName"))
    expressions = Expressions(params)
    if kind == "Put":
        item, size = canonical_item(params.get("Item"))
        if size > MAX_ITEM_BYTES:
            raise validation("Item size has exceeded the maximum allowed size")
        at = keys.locate(spec, item)
        keys.check_index_keys(spec, item)
        found = Plan(kind, spec, at, keys.key_of(spec, item), expressions, new=Stored(item, size))
    else:
        key = canonical_item(params.get("Key"))[0]
        found = Plan(kind, spec, keys.locate_key(spec, key), key, expressions)
    if kind == "Update":
        parsed = expressions.update()
        if parsed is not None:
            found.update_paths = targets(parsed.tree, expressions.update_env(), spec.key_names)
    if kind == "ConditionCheck" and "ConditionExpression" not in params:
        raise validation("ConditionExpression is required for a ConditionCheck")
    found.return_old_on_failure = params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
    return found
