"""One page of a Query or Scan: read rows in key order, stop at Limit (items evaluated,
before the filter) or at 1 MB read, as DynamoDB does, and say where to continue.

``LastEvaluatedKey`` is returned whenever a page stopped early, even if nothing follows (as
DynamoDB does: the next page may then be empty).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from infra.local.dataplane.dynamodb.expressions.env import Env
from infra.local.dataplane.dynamodb.expressions.nodes import Condition
from infra.local.dataplane.dynamodb.expressions.parsed import Parsed
from infra.local.dataplane.dynamodb.expressions.projection import Tree, project
from infra.local.dataplane.dynamodb.expressions.request import Expressions
from infra.local.dataplane.dynamodb.spec import Index, TableSpec
from infra.local.dataplane.dynamodb.values import Item
from infra.local.dataplane.errors import validation

PAGE_BYTES = 1024 * 1024
SELECTS = ("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT")


@dataclass
class View:
    """What a read returns of each item it evaluates."""

    select: str
    held: frozenset[str] | None
    """The attributes a GSI holds, when it does not hold them all (KEYS_ONLY, INCLUDE)."""
    projection: Tree | None
    filter: tuple[Parsed[Condition], Env] | None

    def visible(self, item: Item) -> Item:
        return item if self.held is None else {k: v for k, v in item.items() if k in self.held}


def view(params: dict[str, Any], spec: TableSpec, index: Index | None, found: Expressions) -> View:
    projection = found.projection()
    select = params.get("Select") or (
        "SPECIFIC_ATTRIBUTES"
        if projection is not None
        else "ALL_PROJECTED_ATTRIBUTES"
        if index is not None
        else "ALL_ATTRIBUTES"
    )
    if select not in SELECTS:
        raise validation(
            f"1 validation error detected: Value '{select}' at 'select' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(SELECTS)}]"
        )
    if select == "SPECIFIC_ATTRIBUTES" and projection is None:
        raise validation(
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
            "SPECIFIC_ATTRIBUTES"
        )
    if select != "SPECIFIC_ATTRIBUTES" and projection is not None:
        raise validation(f"Cannot specify the ProjectionExpression when choosing to get {select}")
    if select == "ALL_PROJECTED_ATTRIBUTES" and index is None:
        raise validation(
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
        )
    held = None
    if index is not None and index.projection != "ALL":
        held = frozenset({*spec.key_names, *(k.name for k in index.keys), *index.include})
        if select == "ALL_ATTRIBUTES" and not index.local:
            raise validation(
                "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not "
                f"supported for global secondary index {index.name} because its projection "
                "type is not ALL"
            )
    gsi_held = held if index is not None and not index.local else None
    if select == "ALL_PROJECTED_ATTRIBUTES":
        gsi_held = held
    return View(select, gsi_held, projection, found.condition("FilterExpression"))


def read_page(
    db: sqlite3.Connection,
    statement: tuple[str, list[Any]],
    shown: View,
    limit: int | None,
    last_key: Callable[[Item], Item],
) -> tuple[dict[str, Any], int]:
    """The page's answer (Items, Count, ScannedCount, LastEvaluatedKey) and bytes read."""
    items: list[Item] = []
    scanned = count = size = 0
    stopped = False
    counting = shown.select == "COUNT" and shown.filter is None  # no item needs reading
    last_text = ""
    for text, item_size in db.execute(*statement):
        scanned += 1
        size += item_size
        last_text = text
        if counting:
            count += 1
        else:
            item = shown.visible(json.loads(text))
            if shown.filter is None or shown.filter[0].tree.test(item, shown.filter[1]):
                count += 1
                if shown.select != "COUNT":
                    kept = item if shown.projection is None else project(item, shown.projection)
                    items.append(kept)
        if (limit is not None and scanned >= limit) or size >= PAGE_BYTES:
            stopped = True
            break
    out: dict[str, Any] = {"Count": count, "ScannedCount": scanned}
    if shown.select != "COUNT":
        out["Items"] = items
    if stopped and last_text:
        out["LastEvaluatedKey"] = last_key(shown.visible(json.loads(last_text)))
    return out, size
