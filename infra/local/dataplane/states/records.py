"""State machines and executions as the store keeps them."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

DDL = """
CREATE TABLE IF NOT EXISTS sfn_machines (
    arn TEXT PRIMARY KEY, name TEXT NOT NULL, definition TEXT NOT NULL, role TEXT NOT NULL,
    type TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sfn_executions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, arn TEXT NOT NULL UNIQUE, machine TEXT NOT NULL,
    name TEXT NOT NULL, status TEXT NOT NULL, input TEXT NOT NULL, output TEXT,
    error TEXT, cause TEXT, started REAL NOT NULL, stopped REAL, redrives INTEGER NOT NULL
    DEFAULT 0, redriven REAL, history TEXT);
CREATE INDEX IF NOT EXISTS sfn_executions_by_machine ON sfn_executions (machine, seq);
CREATE INDEX IF NOT EXISTS sfn_executions_by_status ON sfn_executions (machine, status, seq);
"""
COLUMNS = (
    "seq",
    "arn",
    "machine",
    "name",
    "status",
    "input",
    "output",
    "error",
    "cause",
    "started",
    "stopped",
    "redrives",
    "redriven",
)
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM sfn_executions"  # noqa: S608  # constants


def execution(db: sqlite3.Connection, arn: str) -> dict[str, Any] | None:
    row = db.execute(f"{_SELECT} WHERE arn = ?", (arn,)).fetchone()
    return dict(zip(COLUMNS, row, strict=True)) if row else None


def executions(
    db: sqlite3.Connection, machine: str, status: str | None, before: int | None, limit: int
) -> list[dict[str, Any]]:
    """Newest first (as ListExecutions answers), from ``before`` (a seq) on."""
    where, args = ["machine = ?"], [machine]
    if status:
        where.append("status = ?")
        args.append(status)
    if before is not None:
        where.append("seq < ?")
        args.append(str(before))
    rows = db.execute(
        f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY seq DESC LIMIT ?", (*args, limit)
    ).fetchall()
    return [dict(zip(COLUMNS, r, strict=True)) for r in rows]


def running(db: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = db.execute(f"{_SELECT} WHERE status = 'RUNNING' ORDER BY seq").fetchall()
    return [dict(zip(COLUMNS, r, strict=True)) for r in rows]


def history(db: sqlite3.Connection, arn: str) -> list[dict[str, Any]] | None:
    row = db.execute("SELECT history FROM sfn_executions WHERE arn = ?", (arn,)).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def describe(row: dict[str, Any]) -> dict[str, Any]:
    """DescribeExecution's answer for a stored execution."""
    out: dict[str, Any] = {
        "executionArn": row["arn"],
        "stateMachineArn": row["machine"],
        "name": row["name"],
        "status": row["status"],
        "startDate": row["started"],
        "input": row["input"],
        "inputDetails": {"included": True},
        "redriveCount": row["redrives"],
    }
    if row["stopped"] is not None:
        out["stopDate"] = row["stopped"]
    if row["status"] == "SUCCEEDED":
        out["output"] = row["output"]
        out["outputDetails"] = {"included": True}
    for key in ("error", "cause"):
        if row[key] is not None:
            out[key] = row[key]
    if row["redriven"] is not None:
        out["redriveDate"] = row["redriven"]
    return out


def list_item(row: dict[str, Any]) -> dict[str, Any]:
    item = {
        "executionArn": row["arn"],
        "stateMachineArn": row["machine"],
        "name": row["name"],
        "status": row["status"],
        "startDate": row["started"],
        "redriveCount": row["redrives"],
    }
    if row["stopped"] is not None:
        item["stopDate"] = row["stopped"]
    return item
