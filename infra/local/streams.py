"""DynamoDB Streams event source mappings, delivered like the Lambda service does.

Per shard, in order, with a checkpoint: the last sequence number handled; every poll opens a
fresh ``AFTER_SEQUENCE_NUMBER`` iterator (moto's iterators go stale after a cancelled
transaction). Records no filter matches are skipped. A function error retries the batch; with
``ReportBatchItemFailures`` the retry starts at the first failed record. After
``MaximumRetryAttempts`` (-1: until it succeeds) the batch is given up and described (shard and
sequence numbers, not the records) to the ``OnFailure`` destination queue, as AWS does.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from infra.local.pollers import Mapping, Poller
from infra.local.provision import ACCOUNT

log = logging.getLogger("localstack")
POLL_INTERVAL = 0.2
"""Seconds between two reads of a shard (Lambda reads each shard about 4 times a second)."""


class StreamPoller(Poller):
    """One thread per stream mapping; shards are read one after the other, each in order."""

    def __init__(self, mapping: Mapping, session: Any, endpoint: str, region: str) -> None:
        super().__init__(mapping, session, endpoint, region)
        self._streams = self._client("dynamodbstreams")
        self._checkpoints: dict[str, str | None] = {}
        self._attempts = 0
        self._next_describe = 0.0
        self._function_arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{mapping.function}"

    def poll(self) -> None:
        if not self._checkpoints or time.monotonic() > self._next_describe:
            described = self._streams.describe_stream(StreamArn=self.mapping.source_arn)
            for shard in described["StreamDescription"]["Shards"]:
                if shard["ShardId"] not in self._checkpoints:
                    self._checkpoints[shard["ShardId"]] = self._start(shard["ShardId"])
            self._next_describe = time.monotonic() + 10
        for shard_id in list(self._checkpoints):
            self._poll_shard(shard_id)
        self.stopping.wait(POLL_INTERVAL)

    def _start(self, shard_id: str) -> str | None:
        """TRIM_HORIZON: from the oldest record; LATEST: after the newest one now."""
        if self.mapping.starting_position != "LATEST":
            return None
        records = self._read(shard_id, None, 10_000)
        return _seq(records[-1]) if records else None

    def _read(self, shard_id: str, after: str | None, limit: int) -> list[dict[str, Any]]:
        kind = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
            if after
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        iterator = self._streams.get_shard_iterator(
            StreamArn=self.mapping.source_arn, ShardId=shard_id, **kind
        )["ShardIterator"]
        return list(self._streams.get_records(ShardIterator=iterator, Limit=limit)["Records"])

    def _batch(self, shard_id: str, checkpoint: str | None) -> list[dict[str, Any]]:
        """Up to BatchSize records, gathered for up to MaximumBatchingWindowInSeconds."""
        size = self.mapping.batch_size
        records = self._read(shard_id, checkpoint, size)
        deadline = time.monotonic() + self.mapping.window
        while records and len(records) < size and time.monotonic() < deadline:
            if self.stopping.wait(0.1):
                break
            records += self._read(shard_id, _seq(records[-1]), size - len(records))
        return records

    def _poll_shard(self, shard_id: str) -> None:
        checkpoint = self._checkpoints[shard_id]
        records = self._batch(shard_id, checkpoint)
        if not records:
            return
        chosen = [r for r in (self._record(r) for r in records) if self.mapping.accepts(r)]
        failed = self.invoke(chosen, [_seq(r) for r in chosen]) if chosen else set()
        if not failed:
            self._attempts = 0
            self._checkpoints[shard_id] = _seq(records[-1])
            return
        first = min(failed, key=int)
        before = [_seq(r) for r in records if int(_seq(r)) < int(first)]
        self._attempts += 1
        if 0 <= self.mapping.max_retries < self._attempts:
            failing = [r for r in records if int(_seq(r)) >= int(first)]
            self._give_up(shard_id, failing)
            self._attempts = 0
            self._checkpoints[shard_id] = _seq(records[-1])
            return
        self._checkpoints[shard_id] = before[-1] if before else checkpoint
        self.stopping.wait(min(0.2 * 2**self._attempts, 5.0))

    def _give_up(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        log.error(
            "%s gave up on %d stream record(s) after %d attempts",
            self.mapping.function,
            len(records),
            self._attempts,
        )
        if not self.mapping.on_failure.startswith("arn:aws:sqs:"):
            return
        sqs = self._client("sqs")
        url = sqs.get_queue_url(QueueName=self.mapping.on_failure.split(":")[5])["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(self._failure(shard_id, records)))

    def _failure(self, shard_id: str, records: list[dict[str, Any]]) -> dict[str, Any]:
        """The invocation record Lambda sends to a stream mapping's on-failure destination."""
        arrivals = [_iso(r["dynamodb"].get("ApproximateCreationDateTime")) for r in records]
        return {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self._function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": self._attempts,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "version": "1.0",
            "timestamp": _iso(datetime.now(UTC)),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": _seq(records[0]),
                "endSequenceNumber": _seq(records[-1]),
                "approximateArrivalOfFirstRecord": arrivals[0],
                "approximateArrivalOfLastRecord": arrivals[-1],
                "batchSize": len(records),
                "streamArn": self.mapping.source_arn,
            },
        }

    def _record(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record as Lambda passes it: dates as epoch seconds, the stream ARN added."""
        shaped: dict[str, Any] = json.loads(json.dumps(record, default=_epoch))
        shaped["eventSourceARN"] = self.mapping.source_arn
        shaped["awsRegion"] = self.region
        return shaped


def _seq(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def _epoch(value: Any) -> float:
    return float(value.timestamp())


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else None
