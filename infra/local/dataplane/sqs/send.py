"""SendMessage and SendMessageBatch: validated, deduplicated on FIFO queues, stored, and the
queue's long polls woken once the write commits."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from typing import Any

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.sqs.base import SqsBase, integer
from infra.local.dataplane.sqs.batch import checked_entries, failure
from infra.local.dataplane.sqs.content import Content, content, raw_size
from infra.local.dataplane.sqs.errors import invalid, missing, not_for_queue_type, sqs_error
from infra.local.dataplane.sqs.queue import Queue
from infra.local.dataplane.sqs.storage import Placement, insert, sequence_number

DEDUP_WINDOW = 300.0
"""FIFO deduplication interval: five minutes."""
BATCH_MAX_BYTES = 1_048_576
_TOKEN = re.compile(r"[\x21-\x7e]{1,128}")


class SendOperations(SqsBase):
    def send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as db:
            queue = self.queue(db, params)
            return self._send(db, queue, params, self.clock())

    def send_message_batch(self, params: dict[str, Any]) -> dict[str, Any]:
        entries = checked_entries(params.get("Entries"), "SendMessageBatchRequestEntry")
        total = sum(raw_size(e) for e in entries)
        if total > BATCH_MAX_BYTES:
            raise sqs_error(
                "BatchRequestTooLong",
                f"Batch requests cannot be longer than {BATCH_MAX_BYTES} bytes. "
                f"You have sent {total} bytes.",
            )
        successful, failed = [], []
        with self.store.write() as db:
            queue = self.queue(db, params)
            now = self.clock()
            for entry in entries:
                try:
                    with self.store.write():  # a savepoint: a refused entry leaves no trace
                        result = self._send(db, queue, entry, now)
                except AwsError as error:
                    failed.append(failure(entry["Id"], error))
                    continue
                successful.append({"Id": entry["Id"], **result})
        return {"Successful": successful, "Failed": failed}

    def _send(
        self, db: sqlite3.Connection, queue: Queue, params: dict[str, Any], now: float
    ) -> dict[str, Any]:
        body = content(params, queue.number("MaximumMessageSize"))
        group, dedup = _token(params, "MessageGroupId"), _token(params, "MessageDeduplicationId")
        if queue.fifo:
            if params.get("DelaySeconds") is not None:
                raise not_for_queue_type("DelaySeconds", params["DelaySeconds"])
            if group is None:
                raise missing("MessageGroupId")
            dedup = dedup or _content_dedup(queue, body)
            key = f"{group}\n{dedup}" if queue.dedup_per_group else dedup
            earlier = _deduplicated(db, queue, key, now)
            if earlier is not None:
                return _answer(body, *earlier)
            delay = queue.number("DelaySeconds")
        else:
            if dedup is not None:
                raise not_for_queue_type("MessageDeduplicationId", dedup)
            given = integer(params, "DelaySeconds", 0, 900)
            delay = queue.number("DelaySeconds") if given is None else given
        self.expire(db, queue, now)
        row_id, message_id = insert(
            db, queue, body, Placement(now, delay, self.account, group, dedup)
        )
        sequence = None
        if queue.fifo:
            sequence = sequence_number(row_id)
            db.execute(
                "INSERT INTO sqs_dedup (queue_id, key, message_id, sequence, expires) "
                "VALUES (?, ?, ?, ?, ?)",
                (queue.id, key, message_id, sequence, now + DEDUP_WINDOW),
            )
        self.wake(queue.id)
        return _answer(body, message_id, sequence)


def _token(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not _TOKEN.fullmatch(value):
        raise invalid(
            f"Value {value} for parameter {name} is invalid. Reason: {name} can contain up to "
            "128 alphanumeric and punctuation characters."
        )
    return value


def _content_dedup(queue: Queue, body: Content) -> str:
    if not queue.content_dedup:
        raise invalid(
            "The queue should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly"
        )
    return hashlib.sha256(body.body.encode()).hexdigest()


def _deduplicated(
    db: sqlite3.Connection, queue: Queue, key: str, now: float
) -> tuple[str, str] | None:
    """The message id and sequence number of a send with this key within five minutes."""
    db.execute("DELETE FROM sqs_dedup WHERE queue_id = ? AND expires <= ?", (queue.id, now))
    row = db.execute(
        "SELECT message_id, sequence FROM sqs_dedup WHERE queue_id = ? AND key = ?",
        (queue.id, key),
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


def _answer(body: Content, message_id: str, sequence: str | None) -> dict[str, Any]:
    answer: dict[str, Any] = {"MessageId": message_id, "MD5OfMessageBody": body.md5_body}
    if body.md5_attributes:
        answer["MD5OfMessageAttributes"] = body.md5_attributes
    if body.md5_system:
        answer["MD5OfMessageSystemAttributes"] = body.md5_system
    if sequence is not None:
        answer["SequenceNumber"] = sequence
    return answer
