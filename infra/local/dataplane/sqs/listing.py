"""ListQueues and ListDeadLetterSourceQueues: by name, paginated with an opaque token."""

from __future__ import annotations

import base64
import json
from typing import Any

from infra.local.dataplane.sqs.base import SqsBase, integer
from infra.local.dataplane.sqs.errors import invalid
from infra.local.dataplane.sqs.queue import COLUMNS, Queue, from_row

PAGE_LIMIT = 1000


class ListingOperations(SqsBase):
    def list_queues(self, params: dict[str, Any]) -> dict[str, Any]:
        prefix = str(params.get("QueueNamePrefix") or "")
        queues = [q for q in self._queues(_after(params)) if q.name.startswith(prefix)]
        urls, token = _page(queues, integer(params, "MaxResults", 1, PAGE_LIMIT))
        answer: dict[str, Any] = {"QueueUrls": [self.url(q) for q in urls]} if urls else {}
        return {**answer, **({"NextToken": token} if token else {})}

    def list_dead_letter_source_queues(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as db:
            dlq = self.queue(db, params)
        sources = [q for q in self._queues(_after(params)) if q.redrive and q.redrive[0] == dlq.arn]
        page, token = _page(sources, integer(params, "MaxResults", 1, PAGE_LIMIT))
        answer: dict[str, Any] = {"queueUrls": [self.url(q) for q in page]}
        return {**answer, **({"NextToken": token} if token else {})}

    def _queues(self, after: str) -> list[Queue]:
        """The account's queues by name (queues are configuration: few, read whole)."""
        with self.store.read() as db:
            rows = db.execute(
                f"SELECT {COLUMNS} FROM sqs_queues WHERE account = ? AND name > ? "  # noqa: S608
                "ORDER BY name",
                (self.account, after),
            ).fetchall()
        return [from_row(row, self.region) for row in rows]


def _after(params: dict[str, Any]) -> str:
    token = params.get("NextToken")
    if not token:
        return ""
    try:
        return str(json.loads(base64.urlsafe_b64decode(str(token)))["after"])
    except (ValueError, KeyError, TypeError):
        raise invalid("Invalid NextToken value.") from None


def _page(queues: list[Queue], limit: int | None) -> tuple[list[Queue], str | None]:
    """Without MaxResults SQS answers up to 1000 and no token; with it, a token if more."""
    page = queues[: limit or PAGE_LIMIT]
    if limit is None or len(queues) <= limit:
        return page, None
    token = base64.urlsafe_b64encode(json.dumps({"after": page[-1].name}).encode()).decode()
    return page, token
