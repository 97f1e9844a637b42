"""DynamoDB Streams (``DynamoDBStreams_20120810``): the records ``ddb_stream`` holds, read
through shard iterators.

Each table's stream has one shard that never closes (DynamoDB splits a stream into shards
that roll over every few hours; one is enough for a single-writer emulation, and readers
that follow shard lineage handle one shard). Sequence numbers are 21-digit numeric strings,
increasing, so they order as numbers and as strings. Records older than 24 hours are trimmed;
an iterator positioned before a trimmed record answers TrimmedDataAccessException.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any, ClassVar

from infra.local.dataplane.dynamodb import iterators
from infra.local.dataplane.dynamodb.retention import stale, trim_table
from infra.local.dataplane.dynamodb.schema import DDL
from infra.local.dataplane.dynamodb.stream_catalog import StreamCatalog
from infra.local.dataplane.dynamodb.stream_positions import number, positions, sequence, trimmed
from infra.local.dataplane.dynamodb.stream_records import record_id, record_ids
from infra.local.dataplane.errors import AwsError, validation
from infra.local.dataplane.service import JsonService, Params
from infra.local.dataplane.store import Store

MAX_RECORDS = 1000
MAX_BYTES = 1024 * 1024
TYPES = ("TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")


class DynamoDBStreams(JsonService):
    NAME = "dynamodbstreams"
    TARGET_PREFIX = "DynamoDBStreams_20120810"
    JSON_VERSION = "1.0"
    OPERATIONS: ClassVar[frozenset[str]] = frozenset(
        {"ListStreams", "DescribeStream", "GetShardIterator", "GetRecords"}
    )

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], float] = time.time,
        region: str = "us-east-1",
        account: str = "123456789012",
    ) -> None:
        store.schema(DDL)
        self.store, self.clock, self.region = store, clock, region
        self.streams = StreamCatalog(region, account)

    def list_streams(self, params: Params) -> Params:
        limit = params.get("Limit", 100)
        with self.store.read() as db:
            found = self.streams.all(db, params.get("TableName"))
        start = params.get("ExclusiveStartStreamArn")
        if start is not None:
            found = found[next((i + 1 for i, s in enumerate(found) if s.arn == start), 0) :]
        out: Params = {"Streams": [s.summary() for s in found[:limit]]}
        if len(found) > limit:
            out["LastEvaluatedStreamArn"] = found[limit - 1].arn
        return out

    def describe_stream(self, params: Params) -> Params:
        with self.store.read() as db:
            stream = self.streams.get(db, params.get("StreamArn"))
            oldest = db.execute(
                "SELECT min(id) FROM ddb_stream WHERE id BETWEEN ? AND ?", record_ids(stream.tid)
            ).fetchone()[0]
            first = oldest - record_id(stream.tid, 0) if oldest is not None else None
            if first is None:
                first = positions(db, stream.tid)[0] + 1
            spec = self.streams.spec(db, stream)
        return {"StreamDescription": stream.description(spec, number(first))}

    def get_shard_iterator(self, params: Params) -> Params:
        kind, now = params.get("ShardIteratorType"), self.clock()
        if kind not in TYPES:
            raise validation(f"ShardIteratorType must be one of {', '.join(TYPES)}")
        with self.store.read() as db:
            stream = self.streams.get(db, params.get("StreamArn"))
        if params.get("ShardId") != stream.shard_id:
            raise AwsError(
                "ResourceNotFoundException", "Requested resource not found: Shard does not exist"
            )
        self._trim(stream.tid, now)
        with self.store.read() as db:
            latest, horizon = positions(db, stream.tid)
            if kind == "TRIM_HORIZON":
                after = horizon
            elif kind == "LATEST":
                after = latest
            else:
                given = sequence(params.get("SequenceNumber"))
                after = given - 1 if kind == "AT_SEQUENCE_NUMBER" else given
                if after < horizon:
                    raise trimmed()
        iterator = iterators.Iterator(stream.tid, stream.label, after, now)
        return {"ShardIterator": iterator.encode()}

    def get_records(self, params: Params) -> Params:
        now = self.clock()
        position = iterators.decode(params.get("ShardIterator"), now)
        limit = params.get("Limit", MAX_RECORDS)
        if not isinstance(limit, int) or not 1 <= limit <= MAX_RECORDS:
            raise validation(f"Limit must be between 1 and {MAX_RECORDS}")
        self._trim(position.tid, now)
        with self.store.read() as db:
            self.streams.check(db, position.tid, position.label)
            if position.after < positions(db, position.tid)[1]:
                raise trimmed()
            rows = db.execute(
                "SELECT id, record FROM ddb_stream WHERE id > ? AND id <= ? ORDER BY id LIMIT ?",
                (record_id(position.tid, position.after), record_ids(position.tid)[1], limit),
            ).fetchall()
        records: list[dict[str, Any]] = []
        size, after = 0, position.after
        base = record_id(position.tid, 0)
        for key, text in rows:
            seq = key - base
            if records and size + len(text) > MAX_BYTES:
                break
            records.append(self._record(position.tid, seq, text))
            size, after = size + len(text), seq
        return {"Records": records, "NextShardIterator": position.moved(after, now).encode()}

    def _record(self, tid: int, seq: int, text: str) -> dict[str, Any]:
        record = json.loads(text)
        record["dynamodb"]["SequenceNumber"] = number(seq)
        event_id = hashlib.md5(f"{tid}:{seq}".encode(), usedforsecurity=False).hexdigest()
        return {
            "eventID": event_id,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": self.region,
            **record,
        }

    def _trim(self, tid: int, now: float) -> None:
        """Records past retention go before anyone reads the stream (one indexed look when
        there is nothing to trim)."""
        with self.store.read() as db:
            due = stale(db, tid, now)
        if due:
            with self.store.write() as db:
                while trim_table(db, tid, now):
                    pass
