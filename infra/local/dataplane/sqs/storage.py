"""Messages in and out of a queue's rows: insert, expire, remove, move to another queue.

Each keeps FIFO group heads right; callers wake long polls (``SqsBase.wake``).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass

from infra.local.dataplane.sqs import groups
from infra.local.dataplane.sqs.content import Content
from infra.local.dataplane.sqs.queue import Queue

SEQUENCE_BASE = 18_000_000_000_000_000_000
"""FIFO sequence numbers are 20-digit strings that grow with each message."""


def sequence_number(row_id: int) -> str:
    return str(SEQUENCE_BASE + row_id)


@dataclass(frozen=True)
class Placement:
    now: float
    delay: int
    sender: str
    group: str | None = None
    dedup: str | None = None


def insert(
    db: sqlite3.Connection, queue: Queue, content: Content, at: Placement
) -> tuple[int, str]:
    """Store a new message; (row id, message id)."""
    message_id = str(uuid.uuid4())
    visible = at.now + at.delay
    cursor = db.execute(
        "INSERT INTO sqs_messages (queue_id, message_id, body, md5_body, attributes, "
        "md5_attributes, trace_header, md5_system, sender, sent, enqueued, visible, group_id, "
        "dedup_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            queue.id,
            message_id,
            content.body,
            content.md5_body,
            json.dumps(content.attributes) if content.attributes else None,
            content.md5_attributes,
            content.trace_header,
            content.md5_system,
            at.sender,
            int(at.now * 1000),
            at.now,
            visible,
            at.group,
            at.dedup,
        ),
    )
    row_id = int(cursor.lastrowid or 0)
    if queue.fifo and at.group is not None:
        groups.join(db, queue.id, at.group, row_id, visible)
    return row_id, message_id


def expire(db: sqlite3.Connection, queue: Queue, now: float) -> int:
    """Drop the messages older than the queue's retention period (SQS deletes them)."""
    cutoff = now - queue.number("MessageRetentionPeriod")
    if not queue.fifo:
        return db.execute(
            "DELETE FROM sqs_messages WHERE queue_id = ? AND enqueued <= ?", (queue.id, cutoff)
        ).rowcount
    expired = db.execute(
        "SELECT id, group_id FROM sqs_messages WHERE queue_id = ? AND enqueued <= ?",
        (queue.id, cutoff),
    ).fetchall()
    for row_id, _ in expired:
        db.execute("DELETE FROM sqs_messages WHERE id = ?", (row_id,))
    for group in {g for _, g in expired if g is not None}:
        groups.refresh(db, queue.id, group)
    return len(expired)


def remove(db: sqlite3.Connection, queue: Queue, row_id: int, group: str | None) -> None:
    db.execute("DELETE FROM sqs_messages WHERE id = ?", (row_id,))
    if queue.fifo and group is not None:
        groups.refresh(db, queue.id, group)


def relocate(
    db: sqlite3.Connection,
    row_id: int,
    group: str | None,
    source: Queue,
    target: Queue,
    now: float,
    *,
    dead_letter: bool,
) -> None:
    """Move a message, keeping its id, body and attributes. Into a DLQ it keeps its receive
    count and (standard queues) its enqueue time, and records where it came from; a redrive
    out of a DLQ starts it afresh in the target queue."""
    if dead_letter:
        db.execute(
            "UPDATE sqs_messages SET queue_id = ?, visible = ?, receipt = NULL, dlq_source = ?, "
            "enqueued = CASE WHEN ? THEN ? ELSE enqueued END WHERE id = ?",
            (target.id, now, source.arn, target.fifo, now, row_id),
        )
    else:
        db.execute(
            "UPDATE sqs_messages SET queue_id = ?, visible = ?, receipt = NULL, "
            "dlq_source = NULL, receives = 0, first_receive = NULL, received = NULL, "
            "enqueued = ? WHERE id = ?",
            (target.id, now, now, row_id),
        )
    if group is not None:
        if source.fifo:
            groups.refresh(db, source.id, group)
        if target.fifo:
            groups.join(db, target.id, group, row_id, now)
