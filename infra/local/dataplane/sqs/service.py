"""The SQS service: every operation group on one class, as the endpoint and the stack's own
parts call it."""

from __future__ import annotations

from infra.local.dataplane.sqs import groups
from infra.local.dataplane.sqs.describe import DescribeOperations
from infra.local.dataplane.sqs.handles import HandleOperations
from infra.local.dataplane.sqs.listing import ListingOperations
from infra.local.dataplane.sqs.moves import MoveOperations
from infra.local.dataplane.sqs.queues import QueueOperations
from infra.local.dataplane.sqs.receive import ReceiveOperations
from infra.local.dataplane.sqs.removal import RemovalOperations
from infra.local.dataplane.sqs.send import SendOperations


class Sqs(
    QueueOperations,
    RemovalOperations,
    DescribeOperations,
    ListingOperations,
    SendOperations,
    ReceiveOperations,
    HandleOperations,
    MoveOperations,
):
    OPERATIONS = frozenset(
        {
            "CreateQueue",
            "GetQueueUrl",
            "GetQueueAttributes",
            "SetQueueAttributes",
            "ListQueues",
            "DeleteQueue",
            "PurgeQueue",
            "TagQueue",
            "UntagQueue",
            "ListQueueTags",
            "ListDeadLetterSourceQueues",
            "SendMessage",
            "SendMessageBatch",
            "ReceiveMessage",
            "DeleteMessage",
            "DeleteMessageBatch",
            "ChangeMessageVisibility",
            "ChangeMessageVisibilityBatch",
            "StartMessageMoveTask",
            "ListMessageMoveTasks",
            "CancelMessageMoveTask",
        }
    )
    BLOCKING = frozenset({"ReceiveMessage"})

    def release_in_flight(self) -> int:
        """At start-up: messages that were in flight when the stack stopped become visible at
        once. Their consumers ran in the stack and died with it, so no one will delete them;
        SQS would redeliver them after their visibility timeout, the local stack does not make
        a restarted user wait for it. Delayed messages keep their delay. Returns how many."""
        with self.store.write() as db:
            now = self.clock()
            released = db.execute(
                "UPDATE sqs_messages SET visible = ? WHERE receives > 0 AND visible > ?",
                (now, now),
            ).rowcount
            groups.rebuild(db)
            self.store.after_commit(self.waiters.notify_everyone)
        return released

    def clock_moved(self) -> None:
        """The injected clock jumped (a test's clock, the stack shifting time): long polls
        look again at once for messages that became visible and deadlines that passed."""
        self.waiters.notify_everyone()
