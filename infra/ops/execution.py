"""``execution <order-id-or-arn>``: one execution's timeline, and the summary ``order`` shows."""

from __future__ import annotations

from typing import Any

from infra.ops.executions import Execution, attempts
from infra.ops.redact import preview, redact
from infra.ops.render import Output, iso, stamp
from infra.ops.target import Target
from infra.ops.timeline import Timeline, build, history


def execution_command(target: Target, reference: str) -> Output:
    tries = attempts(target, reference)
    latest = tries[-1]
    timeline = _timeline(target, latest)
    lines = [*_header(latest, tries), "", *timeline.lines()]
    data = {
        "execution": _described(latest),
        "attempts": [_described(t) for t in tries],
        "timeline": [step.json() for step in timeline.steps],
        "waiting": timeline.waiting,
    }
    return Output(data, lines)


def execution_summary(target: Target, order_id: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Every attempt's status, and what the latest one waits for (``order`` shows it)."""
    tries = attempts(target, order_id)
    waiting = _timeline(target, tries[-1]).waiting if tries[-1]["status"] == "RUNNING" else None
    lines = []
    for attempt in tries:
        e = Execution.of(attempt)
        line = f"  {e.name}  {e.status}  started {stamp(e.start)}  took {e.took()}"
        if attempt.get("error"):
            line += f"  {attempt['error']}"
        lines.append(line)
    if waiting:
        lines.append(f"  now: {waiting['text']}")
    data = [{**_described(t), "waiting": waiting if t is tries[-1] else None} for t in tries]
    return data, lines


def _timeline(target: Target, described: dict[str, Any]) -> Timeline:
    events = history(target.client("stepfunctions"), described["executionArn"])
    return build(events, running=described["status"] == "RUNNING")


def _header(latest: dict[str, Any], tries: list[dict[str, Any]]) -> list[str]:
    e = Execution.of(latest)
    lines = [
        f"Execution {e.name}  {e.status}  (order {e.order_id})",
        f"  started {stamp(e.start)} UTC, "
        + (f"stopped {stamp(e.stop)} UTC, took {e.took()}" if e.stop else "still running"),
    ]
    if latest.get("redriveCount"):
        lines.append(
            f"  redriven {latest['redriveCount']}x, last at {stamp(latest['redriveDate'])}"
        )
    if len(tries) > 1:
        others = ", ".join(f"{t['name']} {t['status']}" for t in tries)
        lines.append(f"  attempts (oldest first): {others}")
    if latest.get("error"):
        lines.append(f"  error {latest['error']}: {preview(latest.get('cause') or '', 200)}")
    if latest.get("input"):
        lines.append(f"  input {preview(latest['input'], 200)}")
    return lines


def _described(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": d["name"],
        "arn": d["executionArn"],
        "status": d["status"],
        "start": iso(d.get("startDate")),
        "stop": iso(d.get("stopDate")),
        "error": d.get("error"),
        "cause": redact(d.get("cause")),
        "redriveCount": d.get("redriveCount", 0),
        "input": redact(d.get("input")),
    }
