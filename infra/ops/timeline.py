"""An execution's history (GetExecutionHistory) as a timeline people can read: each state
entered and left with its duration, failures with their causes, retries, and what a running
execution is waiting for now. Inputs and outputs are redacted and cut short."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from infra.ops.redact import preview, redact, truncate
from infra.ops.render import clock, duration, iso, stamp

WAITING_FOR = {
    "RequestShipment": "the carrier",
    "CapturePayment": "the carrier",
    "AskOperator": "an operator (see `order <id>`)",
}
"""Who answers a task-token wait in a state (the state name otherwise)."""
_SCHEDULED = ("TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled")
_FAILED = (
    "TaskFailed",
    "TaskTimedOut",
    "TaskStartFailed",
    "TaskSubmitFailed",
    "LambdaFunctionFailed",
    "LambdaFunctionTimedOut",
    "LambdaFunctionStartFailed",
    "LambdaFunctionScheduleFailed",
    "ActivityFailed",
    "ActivityTimedOut",
    "ActivityScheduleFailed",
)
_ENDED = {
    "ExecutionSucceeded": "succeeded",
    "ExecutionFailed": "failed",
    "ExecutionAborted": "aborted",
    "ExecutionTimedOut": "timed out",
}


@dataclass
class Step:
    at: datetime
    kind: str
    state: str | None
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        return {
            "at": iso(self.at),
            "kind": self.kind,
            "state": self.state,
            "text": self.text.strip(),
            **self.data,
        }


@dataclass
class _Open:
    name: str
    type: str
    entered: datetime
    attempts: int = 0
    resource: str = ""
    scheduled: dict[str, Any] = field(default_factory=dict)
    since: datetime | None = None
    failed_at: datetime | None = None


@dataclass
class Timeline:
    steps: list[Step]
    waiting: dict[str, Any] | None

    def lines(self) -> list[str]:
        """One line per step; under it, what the data became, when it changed."""
        out, last = [], None
        for step in self.steps:
            out.append(f"  {clock(step.at)}  {step.text}")
            key = "input" if "input" in step.data else "output" if "output" in step.data else None
            if key and step.data[key] != last:
                shown = _changes(last, step.data[key]) if step.kind != "started" else None
                last = step.data[key]
                if shown:
                    out.append(f"{'':16}{key[:3]:<4}{shown}")
        if self.waiting:
            out.append(f"  now: {self.waiting['text']}")
        return out


def _changes(before: Any, after: Any) -> str:
    """``after`` as compact JSON; for two objects only the keys that changed."""
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return preview(after, 110)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    same = len(after) - len(changed)
    gone = [k for k in before if k not in after]
    text = preview(changed, 90) if changed else "{}"
    extras = [f"{same} unchanged" if same else "", f"dropped {', '.join(gone)}" if gone else ""]
    extra = "; ".join(e for e in extras if e)
    return f"{text}  ({extra})" if extra else text


def history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    token = None
    while True:
        page = sfn.get_execution_history(
            executionArn=arn, maxResults=1000, **({"nextToken": token} if token else {})
        )
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            return events


def build(events: list[dict[str, Any]], running: bool) -> Timeline:
    steps: list[Step] = []
    open_: list[_Open] = []
    for event in events:
        kind, at = event["type"], event["timestamp"]
        details: dict[str, Any] = next(
            (v for k, v in event.items() if k.endswith("EventDetails")), {}
        )
        current = open_[-1] if open_ else None
        if kind == "ExecutionStarted":
            steps.append(_io(at, "started", None, "execution started", "input", details))
        elif kind.endswith("StateEntered"):
            state_type = kind.removesuffix("StateEntered")
            open_.append(_Open(details["name"], state_type, at))
            text = f"> {details['name']} ({state_type})"
            steps.append(_io(at, "entered", details["name"], text, "input", details))
        elif kind.endswith("StateExited"):
            left = _close(open_, details["name"])
            seconds = (at - left.entered).total_seconds() if left else None
            text = f"< {details['name']}  {duration(seconds) if seconds is not None else '?'}"
            step = _io(at, "exited", details["name"], text, "output", details)
            step.data["seconds"] = seconds
            steps.append(step)
        elif kind in _SCHEDULED and current:
            current.attempts += 1
            current.resource = f"{details.get('resourceType', '')}:{details.get('resource', '')}"
            current.scheduled, current.since = details, at
            if current.attempts > 1 and current.failed_at:
                wait = duration((at - current.failed_at).total_seconds())
                text = f"  retry {current.attempts - 1} of {current.name} after {wait}"
                steps.append(Step(at, "retry", current.name, text, {"attempt": current.attempts}))
        elif kind in _FAILED:
            name = current.name if current else None
            if current:
                current.failed_at = at
            steps.append(_failure(at, name, kind, details, current.attempts if current else 0))
        elif kind in _ENDED:
            steps.append(_ended(at, kind, details))
    waiting = _waiting(open_[-1], events[-1]["type"]) if running and open_ else None
    return Timeline(steps, waiting)


def _close(open_: list[_Open], name: str) -> _Open | None:
    for index in range(len(open_) - 1, -1, -1):
        if open_[index].name == name:
            return open_.pop(index)
    return None


def _io(
    at: datetime, kind: str, state: str | None, text: str, key: str, details: dict[str, Any]
) -> Step:
    raw = details.get(key)
    return Step(at, kind, state, text, {} if raw is None else {key: redact(raw)})


def _failure(
    at: datetime, state: str | None, kind: str, details: dict[str, Any], attempt: int
) -> Step:
    error, cause = details.get("error", kind), cause_text(details.get("cause"))
    what = f"attempt {attempt} " if attempt else ""
    text = f"  ! {state or 'task'} {what}failed: {error}" + (f": {cause}" if cause else "")
    return Step(at, "failed", state, text, {"error": error, "cause": cause, "attempt": attempt})


def _ended(at: datetime, kind: str, details: dict[str, Any]) -> Step:
    word = _ENDED[kind]
    if kind == "ExecutionSucceeded":
        return _io(at, "succeeded", None, "execution succeeded", "output", details)
    error, cause = details.get("error"), cause_text(details.get("cause"))
    text = f"execution {word}" + (f": {error}" if error else "") + (f": {cause}" if cause else "")
    return Step(at, word.replace(" ", "-"), None, text, {"error": error, "cause": cause})


def cause_text(cause: Any) -> str | None:
    """A Lambda error's cause is JSON with a stack trace: keep its type and message only
    (redacted, cut short)."""
    if not cause:
        return None
    try:
        parsed = json.loads(cause)
    except (TypeError, ValueError):
        return truncate(str(cause), 200)
    if isinstance(parsed, dict) and "errorMessage" in parsed:
        message = f"{parsed.get('errorType', 'Error')}: {parsed['errorMessage']}"
        return truncate(str(redact(message)), 200)
    return preview(parsed, 200)


def _waiting(state: _Open, last_event: str) -> dict[str, Any]:
    since = state.since or state.entered
    data: dict[str, Any] = {"state": state.name, "since": iso(since)}
    if last_event in _FAILED:
        data["kind"] = "retry-backoff"
        text = f"{state.name} attempt {state.attempts} failed; waiting to retry"
    elif "waitForTaskToken" in state.resource:
        who = WAITING_FOR.get(state.name)
        heartbeat = state.scheduled.get("heartbeatInSeconds")
        timeout = state.scheduled.get("timeoutInSeconds")
        data.update(kind="task-token", heartbeatSeconds=heartbeat, timeoutSeconds=timeout)
        limits = "".join(
            [
                f", heartbeat every {duration(heartbeat)}" if heartbeat else "",
                f", times out after {duration(timeout)}" if timeout else "",
            ]
        )
        text = f"waiting for {who} in {state.name}" if who else f"waiting in {state.name}"
        text += f" since {stamp(since)} UTC (task token{limits})"
    elif state.type == "Wait":
        data["kind"] = "wait-state"
        text = f"in Wait state {state.name} since {stamp(since)} UTC"
    else:
        data["kind"] = "running"
        text = f"running {state.name} ({state.type}) since {stamp(since)} UTC"
    return {**data, "text": text}
