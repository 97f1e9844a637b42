"""An execution run again from its input: after the stack died under it (``resume``), or when
asked (RedriveExecution). Either way ``redriveCount`` goes up and its history says so with an
``ExecutionRedriven`` event after what it did before.

AWS's RedriveExecution resumes at the state that failed; moto's interpreter can only start at
the beginning, so a redrive here runs every state again. Every task of the saga is idempotent
(docs/workflow.md), which makes the two the same for OrderFlow.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.states import records

REDRIVABLE = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
REDRIVE_WINDOW_SECONDS = 14 * 24 * 3600
"""AWS redrives an execution up to 14 days after it stopped."""


def check_redrivable(row: dict[str, Any], now: float) -> None:
    refused = _why_not_redrivable(row, now)
    if refused is not None:
        raise AwsError("ExecutionNotRedrivable", f"Execution {row['arn']} {refused}")


def redrive_status(row: dict[str, Any], now: float) -> dict[str, str]:
    """DescribeExecution's ``redriveStatus`` (and its reason when not redrivable)."""
    refused = _why_not_redrivable(row, now)
    if refused is None:
        return {"redriveStatus": "REDRIVABLE"}
    return {"redriveStatus": "NOT_REDRIVABLE", "redriveStatusReason": f"Execution {refused}"}


def _why_not_redrivable(row: dict[str, Any], now: float) -> str | None:
    if row["status"] not in REDRIVABLE:
        return f"is {row['status']}: only a failed, timed out or aborted execution can be redriven"
    if row["stopped"] is not None and now - row["stopped"] > REDRIVE_WINDOW_SECONDS:
        return "stopped more than 14 days ago"
    return None


def mark_redriven(db: sqlite3.Connection, row: dict[str, Any], now: float) -> None:
    """Running again: the count, the date, and the note in the history."""
    earlier = records.history(db, row["arn"]) or []
    note = {
        "id": len(earlier) + 1,
        "previousEventId": len(earlier),
        "timestamp": now,
        "type": "ExecutionRedriven",
        "executionRedrivenEventDetails": {"redriveCount": row["redrives"] + 1},
    }
    db.execute(
        "UPDATE sfn_executions SET status = 'RUNNING', redrives = redrives + 1, redriven = ?, "
        "stopped = NULL, error = NULL, cause = NULL, output = NULL, history = ? WHERE arn = ?",
        (now, json.dumps([*earlier, note]), row["arn"]),
    )
