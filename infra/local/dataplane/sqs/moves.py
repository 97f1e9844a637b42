"""Message move tasks: a dead-letter queue's messages back to their source queues (each to
the queue named by its DeadLetterQueueSourceArn) or to one DestinationArn.

Emulation: the task moves every message that is not in flight inside the
StartMessageMoveTask transaction and is COMPLETED when the call answers (SQS moves in the
background). MaxNumberOfMessagesPerSecond is validated and recorded, not applied; a task
cannot be cancelled since none is ever RUNNING. A moved message keeps its id, body and
attributes and starts afresh in its new queue (receive count 0, retention from the move).
The 10 most recent tasks of each source are kept, as ListMessageMoveTasks shows.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import uuid
from typing import Any

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.sqs.base import SqsBase, integer
from infra.local.dataplane.sqs.errors import invalid, missing
from infra.local.dataplane.sqs.moving import move_all
from infra.local.dataplane.sqs.queue import COLUMNS, Queue, by_arn, from_row

KEPT_PER_SOURCE = 10


class MoveOperations(SqsBase):
    def start_message_move_task(self, params: dict[str, Any]) -> dict[str, Any]:
        rate = integer(params, "MaxNumberOfMessagesPerSecond", 1, 500)
        with self.store.write() as db:
            source = self._task_queue(db, params.get("SourceArn"), "SourceArn")
            if not self._is_dead_letter_queue(db, source):
                raise invalid("Source queue must be configured as a Dead Letter Queue.")
            destination = None
            if params.get("DestinationArn"):
                destination = self._task_queue(db, params["DestinationArn"], "DestinationArn")
            now = self.clock()
            moved = move_all(db, source, destination, now, self.region)
            self.wake(*moved.queue_ids)
            handle = _handle(source.arn)
            db.execute(
                "INSERT INTO sqs_move_tasks (handle, source_arn, destination_arn, rate, status, "
                "moved, to_move, failure, started) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    handle,
                    source.arn,
                    destination.arn if destination else None,
                    rate,
                    "FAILED" if moved.failure else "COMPLETED",
                    moved.count,
                    moved.to_move,
                    moved.failure,
                    int(now * 1000),
                ),
            )
            db.execute(
                "DELETE FROM sqs_move_tasks WHERE source_arn = ? AND handle NOT IN (SELECT handle "
                "FROM sqs_move_tasks WHERE source_arn = ? ORDER BY started DESC, rowid DESC "
                "LIMIT ?)",
                (source.arn, source.arn, KEPT_PER_SOURCE),
            )
        return {"TaskHandle": handle}

    def list_message_move_tasks(self, params: dict[str, Any]) -> dict[str, Any]:
        limit = integer(params, "MaxResults", 1, KEPT_PER_SOURCE) or 1
        with self.store.read() as db:
            source = self._task_queue(db, params.get("SourceArn"), "SourceArn")
            rows = db.execute(
                "SELECT source_arn, destination_arn, rate, status, moved, to_move, failure, "
                "started FROM sqs_move_tasks WHERE source_arn = ? "
                "ORDER BY started DESC, rowid DESC LIMIT ?",
                (source.arn, limit),
            ).fetchall()
        return {"Results": [_described(row) for row in rows]}

    def cancel_message_move_task(self, params: dict[str, Any]) -> dict[str, Any]:
        handle = params.get("TaskHandle")
        if not isinstance(handle, str) or not handle:
            raise missing("TaskHandle")
        with self.store.read() as db:
            found = db.execute(
                "SELECT status FROM sqs_move_tasks WHERE handle = ?", (handle,)
            ).fetchone()
        if found is None:
            raise AwsError(
                "ResourceNotFoundException",
                "Task does not exist.",
                query_code="ResourceNotFoundException",
            )
        raise AwsError(
            "ResourceNotFoundException",
            f"Only a RUNNING task can be cancelled; this one is {found[0]} (the local stack "
            "completes move tasks at once).",
            query_code="ResourceNotFoundException",
        )

    def _task_queue(self, db: sqlite3.Connection, arn: object, parameter: str) -> Queue:
        if not isinstance(arn, str) or not arn:
            raise missing(parameter)
        queue = by_arn(db, arn, self.region)
        if queue is None:
            raise AwsError(
                "ResourceNotFoundException",
                f"The resource that you specified for the {parameter} parameter doesn't exist.",
                query_code="ResourceNotFoundException",
            )
        return queue

    def _is_dead_letter_queue(self, db: sqlite3.Connection, queue: Queue) -> bool:
        rows = db.execute(
            f"SELECT {COLUMNS} FROM sqs_queues WHERE account = ?",  # noqa: S608
            (queue.account,),
        )
        sources = (from_row(row, self.region) for row in rows)
        return any(q.redrive is not None and q.redrive[0] == queue.arn for q in sources)


def _handle(source_arn: str) -> str:
    raw = json.dumps({"taskId": str(uuid.uuid4()), "sourceArn": source_arn})
    return base64.b64encode(raw.encode()).decode()


def _described(row: tuple[Any, ...]) -> dict[str, Any]:
    source, destination, rate, status, moved, to_move, failure, started = row
    task: dict[str, Any] = {
        "Status": status,
        "SourceArn": source,
        "ApproximateNumberOfMessagesMoved": moved,
        "ApproximateNumberOfMessagesToMove": to_move,
        "StartedTimestamp": started,
    }
    if destination:
        task["DestinationArn"] = destination
    if rate:
        task["MaxNumberOfMessagesPerSecond"] = rate
    if failure:
        task["FailureReason"] = failure
    return task
