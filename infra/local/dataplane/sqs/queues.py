"""Creating, describing and changing queues.

CreateQueue is idempotent for the same name and attributes (each given attribute compared
with the queue's value, defaults included); another value is QueueAlreadyExists. A name can
be reused 60 seconds after its queue was deleted, as on SQS.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from infra.local.dataplane.sqs.attributes import normalised
from infra.local.dataplane.sqs.base import SqsBase
from infra.local.dataplane.sqs.errors import invalid, invalid_value, missing, no_queue, sqs_error
from infra.local.dataplane.sqs.policies import redrive_allow_policy, redrive_policy
from infra.local.dataplane.sqs.queue import find

REUSE_AFTER = 60.0
_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}(\.fifo)?|[A-Za-z0-9_-]{1,80}")


class QueueOperations(SqsBase):
    def create_queue(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("QueueName")
        if not isinstance(name, str) or not name:
            raise missing("QueueName")
        given = params.get("Attributes") or {}
        fifo = _check_name(name, given)
        with self.store.write() as db:
            attributes = self._checked(
                db, given, f"arn:aws:sqs:{self.region}:{self.account}:{name}", fifo
            )
            now = self.clock()
            existing = find(db, self.account, name, self.region)
            if existing is not None:
                for key, value in attributes.items():
                    if existing.attributes.get(key, "") != value:
                        raise sqs_error(
                            "QueueNameExists",
                            f"A queue already exists with the same name and a different value "
                            f"for attribute {key}",
                        )
                return {"QueueUrl": self.url(existing)}
            self._refuse_recently_deleted(db, name, now)
            db.execute(
                "INSERT INTO sqs_queues (account, name, attributes, tags, created, modified) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    self.account,
                    name,
                    json.dumps({k: v for k, v in attributes.items() if v}),
                    json.dumps(_tags(params.get("tags") or {})),
                    now,
                    now,
                ),
            )
        return {"QueueUrl": f"{self.endpoint}/{self.account}/{name}"}

    def get_queue_url(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("QueueName")
        if not isinstance(name, str) or not name:
            raise missing("QueueName")
        account = params.get("QueueOwnerAWSAccountId") or self.account
        with self.store.read() as db:
            queue = find(db, account, name, self.region)
        if queue is None:
            raise no_queue()
        return {"QueueUrl": self.url(queue)}

    def set_queue_attributes(self, params: dict[str, Any]) -> dict[str, Any]:
        given = params.get("Attributes")
        if not isinstance(given, dict):
            raise missing("Attributes")
        with self.store.write() as db:
            queue = self.queue(db, params)
            if "FifoQueue" in given:
                raise invalid_value(
                    "FifoQueue", given["FifoQueue"], "Modifying queue type is not supported."
                )
            changed = {**queue.stored, **self._checked(db, given, queue.arn, queue.fifo)}
            db.execute(
                "UPDATE sqs_queues SET attributes = ?, modified = ? WHERE id = ?",
                (json.dumps({k: v for k, v in changed.items() if v}), self.clock(), queue.id),
            )
            self.wake(queue.id)  # a shorter wait or retention applies to waiting polls too
        return {}

    def _checked(
        self, db: sqlite3.Connection, given: dict[str, Any], arn: str, fifo: bool
    ) -> dict[str, str]:
        attributes = normalised({k: v for k, v in given.items() if k != "FifoQueue"}, fifo)
        if "RedrivePolicy" in attributes:
            attributes["RedrivePolicy"] = redrive_policy(
                db, attributes["RedrivePolicy"], arn, fifo, self.region
            )
        if "RedriveAllowPolicy" in attributes:
            attributes["RedriveAllowPolicy"] = redrive_allow_policy(
                attributes["RedriveAllowPolicy"]
            )
        return attributes

    def _refuse_recently_deleted(self, db: sqlite3.Connection, name: str, now: float) -> None:
        db.execute("DELETE FROM sqs_deleted_queues WHERE deleted <= ?", (now - REUSE_AFTER,))
        if db.execute(
            "SELECT 1 FROM sqs_deleted_queues WHERE account = ? AND name = ?", (self.account, name)
        ).fetchone():
            raise sqs_error(
                "QueueDeletedRecently",
                "You must wait 60 seconds after deleting a queue before you can create another "
                "with the same name.",
            )


def _check_name(name: str, given: dict[str, Any]) -> bool:
    """Whether the queue is FIFO; its name must say so (``.fifo``) exactly when it is."""
    fifo = str(given.get("FifoQueue", "false")).lower() == "true"
    if fifo != name.endswith(".fifo") or not _NAME.fullmatch(name):
        if fifo or name.endswith(".fifo"):
            raise invalid(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                "underscores, must end with .fifo suffix and be 1 to 80 in length."
            )
        raise invalid(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )
    return fifo


def _tags(tags: dict[str, Any]) -> dict[str, str]:
    if len(tags) > 50:
        raise invalid("Too many tags added for queue: at most 50.")
    return {str(k): str(v) for k, v in tags.items()}
