"""The saga's executions: named by order id (a local retry adds ``-retry-<n>``)."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from infra.ops.errors import NotFound
from infra.ops.render import Output, duration, iso, stamp, table
from infra.ops.target import Target

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
FOLLOW_BACKLOG = 20
LIST_PAGE = 1000
"""ListExecutions' largest page."""
_RETRY = re.compile(r"^(?P<order>.+)-retry-(?P<n>\d+)$")


@dataclass(frozen=True)
class Execution:
    arn: str
    name: str
    status: str
    start: datetime
    stop: datetime | None = None

    @classmethod
    def of(cls, item: dict[str, Any]) -> Execution:
        return cls(
            item["executionArn"],
            item["name"],
            item["status"],
            item["startDate"],
            item.get("stopDate"),
        )

    @property
    def order_id(self) -> str:
        return order_of(self.name)

    def took(self) -> str:
        return duration((self.stop - self.start).total_seconds()) if self.stop else "-"

    def json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "orderId": self.order_id,
            "status": self.status,
            "start": iso(self.start),
            "stop": iso(self.stop),
            "arn": self.arn,
        }


def order_of(name: str) -> str:
    """The order id an execution name stands for (``<id>`` or ``<id>-retry-<n>``)."""
    retry = _RETRY.match(name)
    return retry.group("order") if retry else name


def listed(target: Target, status: str | None = None, limit: int | None = None) -> list[Execution]:
    """Newest first; with ``limit``, only the newest ``limit`` (ListExecutions answers newest
    first, so the pages after them are never asked for)."""
    params: dict[str, Any] = {
        "stateMachineArn": target.config.state_machine_arn,
        "maxResults": min(limit or LIST_PAGE, LIST_PAGE),
    }
    if status:
        params["statusFilter"] = status
    sfn, found = target.client("stepfunctions"), list[Execution]()
    while limit is None or len(found) < limit:
        page = sfn.list_executions(**params)
        found += [Execution.of(item) for item in page["executions"]]
        if not page.get("nextToken"):
            break
        params["nextToken"] = page["nextToken"]
    return sorted(found, key=lambda e: e.start, reverse=True)[:limit]


def executions_command(target: Target, status: str | None, limit: int) -> Output:
    found = listed(target, status, limit)
    rows = [[e.name, e.status, stamp(e.start), stamp(e.stop), e.took()] for e in found]
    lines = table(["NAME (order id)", "STATUS", "STARTED (UTC)", "STOPPED (UTC)", "TOOK"], rows)
    if not found:
        lines = [f"no {status or ''} executions".replace("  ", " ")]
    return Output([e.json() for e in found], lines)


def follow(
    target: Target,
    status: str | None,
    interval: float,
    sleep: Callable[[float], None] = time.sleep,
    rounds: int | None = None,
) -> Iterator[tuple[dict[str, Any], str]]:
    """Yields (change, line) for each new execution and each status change, until stopped.
    The first round shows the ``FOLLOW_BACKLOG`` newest executions, not the whole history."""
    seen: dict[str, str] = {}
    round_ = 0
    while rounds is None or round_ < rounds:
        current = listed(target, status)
        if round_ == 0:
            seen.update({e.arn: e.status for e in current[FOLLOW_BACKLOG:]})
        for e in reversed(current):
            before = seen.get(e.arn)
            if before == e.status:
                continue
            seen[e.arn] = e.status
            if before is None:
                line = f"{stamp(e.start)}  {e.name}  {e.status}"
            else:
                line = f"{stamp(e.stop or e.start)}  {e.name}  {before} -> {e.status}  ({e.took()})"
            yield {**e.json(), "previousStatus": before}, line
        round_ += 1
        if rounds is None or round_ < rounds:
            sleep(interval)


def attempts(target: Target, reference: str) -> list[dict[str, Any]]:
    """DescribeExecution of every attempt for an order id (or of one execution ARN), oldest
    first. Locally an emulated retry is its own execution, ``<order-id>-retry-<n>``, asked
    for by name (n = 1, 2, ... until one is missing) rather than by listing every execution."""
    sfn = target.client("stepfunctions")
    if reference.startswith("arn:"):
        return [_describe(sfn, reference)]
    machine = target.config.state_machine_arn
    prefix = machine.replace(":stateMachine:", ":execution:", 1)
    found = []
    with contextlib.suppress(NotFound):
        found.append(_describe(sfn, f"{prefix}:{reference}"))
    while target.local and found:  # retries are numbered from 1: ask for each until one is not
        try:
            found.append(_describe(sfn, f"{prefix}:{reference}-retry-{len(found)}"))
        except NotFound:
            break
    if not found:
        raise NotFound(f"no execution for order {reference} in {machine}")
    return sorted(found, key=lambda d: d["startDate"])


def _describe(sfn: Any, arn: str) -> dict[str, Any]:
    try:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("ExecutionDoesNotExist", "InvalidArn"):
            raise NotFound(f"no execution {arn}") from error
        raise
    described.pop("ResponseMetadata", None)
    return described
