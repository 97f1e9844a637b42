"""A queue as the operations see it, and where to find one: by URL, name or ARN.

A queue URL is ``<endpoint>/<account>/<name>``; any host part is accepted (clients built for
another endpoint, the stack's own callers), the queue is found by account and name.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.sqs.attributes import effective
from infra.local.dataplane.sqs.errors import missing, no_queue

COLUMNS = "id, account, name, attributes, tags, created, modified, purged"


@dataclass(frozen=True)
class Queue:
    id: int
    account: str
    name: str
    stored: dict[str, str]
    """The settable attributes given by the user (normalised); defaults are not stored."""
    tags: dict[str, str]
    created: float
    modified: float
    purged: float | None
    region: str

    @property
    def fifo(self) -> bool:
        return self.name.endswith(".fifo")

    @property
    def arn(self) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{self.name}"

    @cached_property
    def attributes(self) -> dict[str, str]:
        return effective(self.stored, self.fifo)

    def number(self, name: str) -> int:
        return int(self.attributes[name])

    @cached_property
    def redrive(self) -> tuple[str, int] | None:
        """(dead-letter queue ARN, maxReceiveCount), when a RedrivePolicy is set."""
        raw = self.stored.get("RedrivePolicy")
        if not raw:
            return None
        policy = json.loads(raw)
        return str(policy["deadLetterTargetArn"]), int(policy["maxReceiveCount"])

    @property
    def content_dedup(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication") == "true"

    @property
    def dedup_per_group(self) -> bool:
        return self.attributes.get("DeduplicationScope") == "messageGroup"


def from_row(row: tuple[object, ...], region: str) -> Queue:
    id_, account, name, attributes, tags, created, modified, purged = row
    return Queue(
        int(str(id_)),
        str(account),
        str(name),
        json.loads(str(attributes)),
        json.loads(str(tags)),
        float(str(created)),
        float(str(modified)),
        None if purged is None else float(str(purged)),
        region,
    )


def split_url(url: str) -> tuple[str, str]:
    """(account, name) of a queue URL; any scheme and host."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if len(parts) < 2 or not url:
        raise AwsError(
            "InvalidAddress",
            f"The address {url} is not valid for this endpoint.",
            query_code="InvalidAddress",
        )
    return parts[-2], parts[-1]


def split_arn(arn: str) -> tuple[str, str]:
    """(account, name) of a queue ARN (``arn:aws:sqs:<region>:<account>:<name>``)."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[2] != "sqs":
        raise AwsError("ResourceNotFoundException", f"{arn} is not an SQS queue ARN.")
    return parts[4], parts[5]


def find(db: sqlite3.Connection, account: str, name: str, region: str) -> Queue | None:
    row = db.execute(
        f"SELECT {COLUMNS} FROM sqs_queues WHERE account = ? AND name = ?",  # noqa: S608
        (account, name),
    ).fetchone()
    return None if row is None else from_row(row, region)


def by_url(db: sqlite3.Connection, url: object, region: str) -> Queue:
    if not isinstance(url, str) or not url:
        raise missing("QueueUrl")
    queue = find(db, *split_url(url), region)
    if queue is None:
        raise no_queue()
    return queue


def by_arn(db: sqlite3.Connection, arn: str, region: str) -> Queue | None:
    try:
        return find(db, *split_arn(arn), region)
    except AwsError:
        return None
