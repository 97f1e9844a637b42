"""The work of a message move task: each message of the DLQ that is not in flight to its
destination (the task's, or the queue its DeadLetterQueueSourceArn names), in order; the
first message that cannot move ends the task as FAILED, with why."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from infra.local.dataplane.sqs.queue import Queue, by_arn
from infra.local.dataplane.sqs.storage import relocate


@dataclass
class Moved:
    count: int = 0
    to_move: int = 0
    failure: str | None = None
    queue_ids: set[int] = field(default_factory=set)
    """The queues that received messages (their long polls to wake)."""


def move_all(
    db: sqlite3.Connection, source: Queue, destination: Queue | None, now: float, region: str
) -> Moved:
    rows = db.execute(
        "SELECT id, group_id, dlq_source FROM sqs_messages WHERE queue_id = ? AND visible <= ? "
        "ORDER BY id",
        (source.id, now),
    ).fetchall()
    moved, known = Moved(to_move=len(rows)), dict[str, Queue]()
    for row_id, group, origin in rows:
        target = destination
        if target is None and origin:
            target = known.get(origin) or by_arn(db, origin, region)
        if target is None or target.fifo != source.fifo:
            reason = (
                "the message's source queue does not exist"
                if target is None
                else "the destination is not of the same queue type"
            )
            moved.failure = f"Moving message {row_id} failed: {reason}."
            return moved
        known[target.arn] = target
        relocate(db, row_id, group, source, target, now, dead_letter=False)
        moved.queue_ids.add(target.id)
        moved.count += 1
    return moved
