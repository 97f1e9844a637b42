"""A DynamoDB stream event source mapping, delivered as the Lambda service does.

Per shard, in order, from a checkpoint (the last sequence number handled, kept in the store: a
restart goes on from there). Records no filter matches are skipped. A function error retries;
with ``ReportBatchItemFailures`` the retry starts at the first failed record, with
``BisectBatchOnFunctionError`` a failing batch is split until the bad record stands alone.
After ``MaximumRetryAttempts`` (-1: until it succeeds), or for a record older than
``MaximumRecordAgeInSeconds``, the records are given up: described (shard and sequence
numbers, not the records) to the ``OnFailure`` queue.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from infra.local.dataplane.functions.mappings import Mappings
from infra.local.dataplane.functions.pollers import Invoke, Mapping, Poller, Service

log = logging.getLogger("localstack")
POLL_INTERVAL = 0.1
"""Seconds between two reads of an idle shard (Lambda reads each shard about 4 times a second)."""
SendFailure = Callable[[str, str], None]
"""(queue ARN, message body)."""


class StreamPoller(Poller):
    def __init__(
        self,
        mapping: Mapping,
        invoke: Invoke,
        streams: Service,
        checkpoints: Mappings,
        send_failure: SendFailure,
        *,
        region: str,
        account: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(mapping, invoke, f"esm-{mapping.function}")
        self._streams, self._checkpoints, self._send_failure = streams, checkpoints, send_failure
        self.region, self._clock = region, clock
        self._positions: dict[str, str | None] = {}
        self._attempts = 0
        self._window: int | None = None
        """Bisection: how many records of the batch to try next (None: the whole batch)."""
        self._next_describe = 0.0
        self._function_arn = f"arn:aws:lambda:{region}:{account}:function:{mapping.function}"

    def poll(self) -> None:
        if not self._positions or time.monotonic() > self._next_describe:
            described = self._streams.call("DescribeStream", {"StreamArn": self.mapping.source_arn})
            for shard in described["StreamDescription"]["Shards"]:
                if shard["ShardId"] not in self._positions:
                    self._positions[shard["ShardId"]] = self._start(shard["ShardId"])
            self._next_describe = time.monotonic() + 10
        busy = False
        for shard_id in list(self._positions):
            busy |= self._poll_shard(shard_id)
        if not busy:
            self.stopping.wait(POLL_INTERVAL)

    def _start(self, shard_id: str) -> str | None:
        """The saved checkpoint; else TRIM_HORIZON (from the oldest record) or LATEST."""
        known, sequence = self._checkpoints.checkpoint(self.mapping.uuid, shard_id)
        if known:
            return sequence
        if self.mapping.starting_position == "LATEST":
            iterator = self._iterator(shard_id, None, latest=True)
            records = self._streams.call("GetRecords", {"ShardIterator": iterator, "Limit": 1000})
            sequence = _seq(records["Records"][-1]) if records["Records"] else None
        self._checkpoints.save_checkpoint(self.mapping.uuid, shard_id, sequence)
        return sequence

    def _iterator(self, shard_id: str, after: str | None, latest: bool = False) -> str:
        kind: dict[str, Any]
        if after:
            kind = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
        else:
            kind = {"ShardIteratorType": "LATEST" if latest else "TRIM_HORIZON"}
        params = {"StreamArn": self.mapping.source_arn, "ShardId": shard_id, **kind}
        return str(self._streams.call("GetShardIterator", params)["ShardIterator"])

    def _read(self, shard_id: str, after: str | None, limit: int) -> list[dict[str, Any]]:
        iterator = self._iterator(shard_id, after)
        found = self._streams.call("GetRecords", {"ShardIterator": iterator, "Limit": limit})
        return list(found["Records"])

    def _batch(self, shard_id: str, position: str | None) -> list[dict[str, Any]]:
        """Up to BatchSize records, gathered for up to MaximumBatchingWindowInSeconds."""
        size = self._window or self.mapping.batch_size
        records = self._read(shard_id, position, size)
        deadline = time.monotonic() + self.mapping.window
        while records and len(records) < size and time.monotonic() < deadline:
            if self.stopping.wait(0.05):
                break
            records += self._read(shard_id, _seq(records[-1]), size - len(records))
        return records

    def _poll_shard(self, shard_id: str) -> bool:
        """Handle one batch of the shard; whether there was one."""
        position = self._positions[shard_id]
        records = self._batch(shard_id, position)
        if not records:
            return False
        stale = self._too_old(records)
        if stale:
            self._give_up(shard_id, stale, "RecordAgeExceeded")
            self._advance(shard_id, _seq(stale[-1]))
            return True
        shaped = [self._record(r) for r in records]
        chosen = [r for r in shaped if self.mapping.accepts(r)]
        failed = self.deliver(chosen, [_seq(r) for r in chosen]) if chosen else set()
        if not failed:
            self._attempts, self._window = 0, None
            self._advance(shard_id, _seq(records[-1]))
            return True
        self._retry(shard_id, records, failed, whole=failed == {_seq(r) for r in chosen})
        return True

    def _retry(
        self, shard_id: str, records: list[dict[str, Any]], failed: set[str], whole: bool
    ) -> None:
        first = min(failed, key=int)
        before = [r for r in records if int(_seq(r)) < int(first)]
        if before:  # what succeeded before the first failure is done
            self._advance(shard_id, _seq(before[-1]))
        failing = [r for r in records if int(_seq(r)) >= int(first)]
        if whole and self.mapping.bisect and len(failing) > 1:
            self._window = max(1, len(failing) // 2)  # split, without counting an attempt
            return
        self._attempts += 1
        if 0 <= self.mapping.max_retries < self._attempts:
            self._give_up(shard_id, failing, "RetryAttemptsExhausted")
            self._attempts, self._window = 0, None
            self._advance(shard_id, _seq(failing[-1]))
            return
        self.stopping.wait(min(0.2 * 2**self._attempts, 5.0))

    def _advance(self, shard_id: str, sequence: str) -> None:
        self._positions[shard_id] = sequence
        self._checkpoints.save_checkpoint(self.mapping.uuid, shard_id, sequence)

    def _too_old(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.mapping.max_record_age < 0:
            return []
        oldest = self._clock() - self.mapping.max_record_age
        stale = []
        for record in records:
            if float(record["dynamodb"].get("ApproximateCreationDateTime", oldest)) >= oldest:
                break
            stale.append(record)
        return stale

    def _give_up(self, shard_id: str, records: list[dict[str, Any]], condition: str) -> None:
        log.error(
            "%s gave up on %d stream record(s): %s", self.mapping.function, len(records), condition
        )
        if self.mapping.on_failure.startswith("arn:aws:sqs:"):
            body = self._failure(shard_id, records, condition)
            self._send_failure(self.mapping.on_failure, json.dumps(body))

    def _failure(
        self, shard_id: str, records: list[dict[str, Any]], condition: str
    ) -> dict[str, Any]:
        """The invocation record Lambda sends to a stream mapping's on-failure destination."""
        arrivals = [_iso(r["dynamodb"].get("ApproximateCreationDateTime")) for r in records]
        return {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self._function_arn,
                "condition": condition,
                "approximateInvokeCount": self._attempts,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "version": "1.0",
            "timestamp": _iso(self._clock()),
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
        """The record as Lambda passes it: the stream ARN added, ``userIdentity`` (a TTL
        deletion's) spelled as the Lambda event spells it."""
        shaped = {**record, "eventSourceARN": self.mapping.source_arn, "awsRegion": self.region}
        identity = record.get("userIdentity")
        if identity:
            shaped["userIdentity"] = {
                "type": identity.get("Type"),
                "principalId": identity.get("PrincipalId"),
            }
        return shaped


def _seq(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def _iso(value: Any) -> str | None:
    if not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")
