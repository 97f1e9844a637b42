"""DescribeTable's answer (TableDescription), built from a table's spec and counters."""

from __future__ import annotations

import sqlite3
from typing import Any

from infra.local.dataplane.dynamodb.spec import Index, Key, TableSpec


def _schema(keys: tuple[Key, ...]) -> list[dict[str, str]]:
    kinds = ("HASH", "RANGE")
    return [{"AttributeName": k.name, "KeyType": kinds[i]} for i, k in enumerate(keys)]


def _throughput(raw: dict[str, int] | None) -> dict[str, int]:
    units = raw or {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    return {"NumberOfDecreasesToday": 0, **units}


def _projection(index: Index) -> dict[str, Any]:
    out: dict[str, Any] = {"ProjectionType": index.projection}
    if index.include:
        out["NonKeyAttributes"] = list(index.include)
    return out


def counts(db: sqlite3.Connection, tid: int) -> dict[str, tuple[int, int]]:
    rows = db.execute("SELECT idx, items, bytes FROM ddb_counts WHERE tid = ?", (tid,))
    return {idx: (items, size) for idx, items, size in rows}


def stream_arn(table_arn: str, spec: TableSpec) -> str:
    return f"{table_arn}/stream/{spec.stream_label}"


def describe(
    spec: TableSpec, arn: str, found: dict[str, tuple[int, int]], status: str = "ACTIVE"
) -> dict[str, Any]:
    items, size = found.get("", (0, 0))
    table: dict[str, Any] = {
        "AttributeDefinitions": [
            {"AttributeName": a.name, "AttributeType": a.type} for a in spec.attributes
        ],
        "TableName": spec.name,
        "KeySchema": _schema(spec.keys),
        "TableStatus": status,
        "CreationDateTime": spec.created,
        "ProvisionedThroughput": _throughput(spec.throughput),
        "TableSizeBytes": size,
        "ItemCount": items,
        "TableArn": arn,
        "TableId": f"00000000-0000-4000-8000-{spec.tid:012d}",
        "BillingModeSummary": {"BillingMode": spec.billing},
        "DeletionProtectionEnabled": spec.deletion_protection,
    }
    for local, field in ((False, "GlobalSecondaryIndexes"), (True, "LocalSecondaryIndexes")):
        described = [_index(i, arn, found) for i in spec.indexes if i.local is local]
        if described:
            table[field] = described
    if spec.stream_view:
        table["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": spec.stream_view}
        table["LatestStreamLabel"] = spec.stream_label
        table["LatestStreamArn"] = stream_arn(arn, spec)
    if "SSESpecification" in spec.extra:
        table["SSEDescription"] = {"Status": "ENABLED", "SSEType": "KMS"}
    if "TableClass" in spec.extra:
        table["TableClassSummary"] = {"TableClass": spec.extra["TableClass"]}
    return table


def _index(index: Index, arn: str, found: dict[str, tuple[int, int]]) -> dict[str, Any]:
    items, size = found.get(index.name, (0, 0))
    out: dict[str, Any] = {
        "IndexName": index.name,
        "KeySchema": _schema(index.keys),
        "Projection": _projection(index),
        "IndexSizeBytes": size,
        "ItemCount": items,
        "IndexArn": f"{arn}/index/{index.name}",
    }
    if not index.local:
        out["IndexStatus"] = "ACTIVE"
        out["ProvisionedThroughput"] = _throughput(index.throughput)
    return out
