"""The tables a DynamoDB service knows, read from ``ddb_tables`` and kept parsed.

Definitions change only through this service's own calls (CreateTable, DeleteTable,
UpdateTimeToLive), which drop the cached entry inside their transaction, so a later reader
loads what was committed. One DynamoDB service per database file (as the stack builds it).
"""

from __future__ import annotations

import sqlite3

from infra.local.dataplane.dynamodb.spec import TableSpec
from infra.local.dataplane.errors import AwsError


def not_found(name: str) -> AwsError:
    return AwsError(
        "ResourceNotFoundException", f"Requested resource not found: Table: {name} not found"
    )


class Catalog:
    def __init__(self) -> None:
        self._specs: dict[str, TableSpec] = {}

    def find(self, db: sqlite3.Connection, name: str) -> TableSpec | None:
        spec = self._specs.get(name)
        if spec is None:
            row = db.execute("SELECT spec FROM ddb_tables WHERE name = ?", (name,)).fetchone()
            if row is None:
                return None
            spec = self._specs[name] = TableSpec.from_json(row[0])
        return spec

    def get(self, db: sqlite3.Connection, name: object) -> TableSpec:
        if not isinstance(name, str) or not name:
            raise AwsError("ValidationException", "TableName is required")
        spec = self.find(db, name)
        if spec is None:
            raise not_found(name)
        return spec

    def save(self, db: sqlite3.Connection, spec: TableSpec) -> None:
        self._specs.pop(spec.name, None)
        db.execute(
            "UPDATE ddb_tables SET spec = ?, stream_label = ? WHERE tid = ?",
            (spec.to_json(), spec.stream_label, spec.tid),
        )

    def forget(self, name: str) -> None:
        self._specs.pop(name, None)
