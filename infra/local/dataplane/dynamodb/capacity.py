"""ConsumedCapacity, when a caller asks for it (ReturnConsumedCapacity TOTAL or INDEXES).

Units as DynamoDB bills on-demand tables: a write is one unit per KB of the larger of the
old and the new item, a read one unit per 4 KB (half for an eventually consistent read),
transactions twice that. The figures are plausible, not metered: nothing throttles.
"""

from __future__ import annotations

import math
from typing import Any

from infra.local.dataplane.errors import validation

MODES = frozenset({"NONE", "TOTAL", "INDEXES"})


def mode(params: dict[str, Any]) -> str:
    chosen = params.get("ReturnConsumedCapacity", "NONE")
    if chosen not in MODES:
        raise validation(
            f"1 validation error detected: Value '{chosen}' at 'returnConsumedCapacity' failed "
            "to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
        )
    return str(chosen)


def write_units(size: int, transactional: bool = False) -> float:
    return max(1, math.ceil(size / 1024)) * (2 if transactional else 1)


def read_units(size: int, consistent: bool, transactional: bool = False) -> float:
    units = max(1, math.ceil(size / 4096)) * (2 if transactional else 1)
    return float(units) if consistent or transactional else units / 2


def consumed(
    chosen: str, table: str, units: float, *, write: bool, index: str | None = None
) -> dict[str, Any] | None:
    if chosen == "NONE":
        return None
    side = "WriteCapacityUnits" if write else "ReadCapacityUnits"
    out: dict[str, Any] = {"TableName": table, "CapacityUnits": units, side: units}
    if chosen == "INDEXES":
        part = {"CapacityUnits": units, side: units}
        if index is None:
            out["Table"] = part
        else:
            out["Table"] = {"CapacityUnits": 0.0, side: 0.0}
            out["GlobalSecondaryIndexes"] = {index: part}
    return out


def add_to(response: dict[str, Any], capacity: dict[str, Any] | None) -> dict[str, Any]:
    if capacity is not None:
        response["ConsumedCapacity"] = capacity
    return response
