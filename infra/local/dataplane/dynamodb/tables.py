"""CreateTable, DescribeTable, ListTables, DeleteTable.

A table is ACTIVE as soon as it is created (no CREATING phase to wait through) and its items
are gone as soon as it is deleted, stream records included (AWS keeps a deleted table's
stream readable for 24 hours; this emulation does not).
"""

from __future__ import annotations

from infra.local.dataplane.dynamodb.base import Base
from infra.local.dataplane.dynamodb.definition_checks import check_name
from infra.local.dataplane.dynamodb.definitions import table_spec
from infra.local.dataplane.dynamodb.describe import counts, describe
from infra.local.dataplane.dynamodb.stream_records import record_ids
from infra.local.dataplane.errors import AwsError, validation
from infra.local.dataplane.service import Params

_DROP = (
    "DELETE FROM ddb_items WHERE tid = ?",
    "DELETE FROM ddb_index WHERE tid = ?",
    "DELETE FROM ddb_ttl WHERE tid = ?",
    "DELETE FROM ddb_counts WHERE tid = ?",
    "DELETE FROM ddb_tables WHERE tid = ?",
)


class TableOperations(Base):
    def create_table(self, params: Params) -> Params:
        name = check_name(params.get("TableName"))
        with self.store.write() as db:
            if self.catalog.find(db, name) is not None:
                raise AwsError("ResourceInUseException", f"Table already exists: {name}")
            cursor = db.execute("INSERT INTO ddb_tables (name, spec) VALUES (?, '{}')", (name,))
            spec = table_spec(params, int(cursor.lastrowid or 0), self.clock())
            self.catalog.save(db, spec)
            db.executemany(
                "INSERT INTO ddb_counts (tid, idx, items, bytes) VALUES (?, ?, 0, 0)",
                [(spec.tid, ""), *((spec.tid, i.name) for i in spec.indexes)],
            )
        return {"TableDescription": describe(spec, self.table_arn(name), {})}

    def describe_table(self, params: Params) -> Params:
        with self.store.read() as db:
            spec = self.catalog.get(db, params.get("TableName"))
            found = counts(db, spec.tid)
        return {"Table": describe(spec, self.table_arn(spec.name), found)}

    def list_tables(self, params: Params) -> Params:
        limit = params.get("Limit", 100)
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            raise validation(
                f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                "constraint: Member must have value between 1 and 100"
            )
        start = params.get("ExclusiveStartTableName") or ""
        with self.store.read() as db:
            rows = db.execute(
                "SELECT name FROM ddb_tables WHERE name > ? ORDER BY name LIMIT ?",
                (start, limit + 1),
            ).fetchall()
        names = [r[0] for r in rows[:limit]]
        out: Params = {"TableNames": names}
        if len(rows) > limit:
            out["LastEvaluatedTableName"] = names[-1]
        return out

    def delete_table(self, params: Params) -> Params:
        with self.store.write() as db:
            spec = self.catalog.get(db, params.get("TableName"))
            if spec.deletion_protection:
                raise validation(
                    f"1 validation error detected: Table '{spec.name}' can't be deleted while "
                    "DeletionProtectionEnabled is set to True"
                )
            found = counts(db, spec.tid)
            self.catalog.forget(spec.name)
            for statement in _DROP:
                db.execute(statement, (spec.tid,))
            db.execute("DELETE FROM ddb_stream WHERE id BETWEEN ? AND ?", record_ids(spec.tid))
        described = describe(spec, self.table_arn(spec.name), found, status="DELETING")
        return {"TableDescription": described}
