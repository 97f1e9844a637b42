"""The streams DynamoDB Streams serves: one per table with a stream, named by its ARN
(``<table ARN>/stream/<label>``), found without parsing the table's definition."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from infra.local.dataplane.dynamodb.spec import TableSpec
from infra.local.dataplane.errors import AwsError

_ARN = re.compile(r"arn:aws:dynamodb:([^:]+):([^:]+):table/([^/]+)/stream/(.+)")


def _missing(what: object) -> AwsError:
    return AwsError(
        "ResourceNotFoundException", f"Requested resource not found: Stream: {what} not found"
    )


@dataclass(frozen=True)
class Stream:
    tid: int
    table: str
    label: str
    arn: str

    @property
    def shard_id(self) -> str:
        digits = "".join(c for c in self.label if c.isdigit())
        return f"shardId-{digits:0>20}-{self.tid:08x}"

    def summary(self) -> dict[str, str]:
        return {"StreamArn": self.arn, "TableName": self.table, "StreamLabel": self.label}

    def description(self, spec: TableSpec, first: str) -> dict[str, Any]:
        kinds = ("HASH", "RANGE")
        return {
            **self.summary(),
            "StreamStatus": "ENABLED",
            "StreamViewType": spec.stream_view,
            "CreationRequestDateTime": spec.created,
            "KeySchema": [
                {"AttributeName": k.name, "KeyType": kinds[i]} for i, k in enumerate(spec.keys)
            ],
            "Shards": [
                {"ShardId": self.shard_id, "SequenceNumberRange": {"StartingSequenceNumber": first}}
            ],
        }


class StreamCatalog:
    def __init__(self, region: str, account: str) -> None:
        self.prefix = f"arn:aws:dynamodb:{region}:{account}:table/"

    def _stream(self, tid: int, name: str, label: str) -> Stream:
        return Stream(tid, name, label, f"{self.prefix}{name}/stream/{label}")

    def all(self, db: sqlite3.Connection, table: object = None) -> list[Stream]:
        sql = "SELECT tid, name, stream_label FROM ddb_tables WHERE stream_label IS NOT NULL"
        rows = (
            db.execute(f"{sql} AND name = ? ORDER BY name", (table,))
            if table is not None
            else db.execute(f"{sql} ORDER BY name")
        )
        return [self._stream(*row) for row in rows]

    def get(self, db: sqlite3.Connection, arn: object) -> Stream:
        found = _ARN.fullmatch(arn) if isinstance(arn, str) else None
        if found is None or not found.group(0).startswith(self.prefix):
            raise _missing(arn)
        row = db.execute(
            "SELECT tid, name, stream_label FROM ddb_tables WHERE name = ?", (found.group(3),)
        ).fetchone()
        if row is None or row[2] != found.group(4):
            raise _missing(arn)
        return self._stream(*row)

    def spec(self, db: sqlite3.Connection, stream: Stream) -> TableSpec:
        row = db.execute("SELECT spec FROM ddb_tables WHERE tid = ?", (stream.tid,)).fetchone()
        return TableSpec.from_json(row[0])

    def check(self, db: sqlite3.Connection, tid: int, label: str) -> None:
        """An iterator's stream still exists (its table was not deleted, or recreated)."""
        row = db.execute("SELECT stream_label FROM ddb_tables WHERE tid = ?", (tid,)).fetchone()
        if row is None or row[0] != label:
            raise _missing(f"stream {label}")
