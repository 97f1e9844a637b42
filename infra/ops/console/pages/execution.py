"""One execution: the deployed state machine drawn with the path taken, the timeline beside
it, input and output; re-fetched (``/executions/<name>/live``) until the execution ends.

The data is the CLI's ``execution --json`` (redacted there); the definition is the one the
execution ran (DescribeStateMachineForExecution)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from infra.ops.console.graph import drawing
from infra.ops.console.pages.common import context, render
from infra.ops.execution import execution_command
from infra.ops.executions import order_of
from infra.ops.retry import RETRYABLE
from infra.ops.target import Target

_ENDINGS = ("failed", "timed-out", "aborted")


def execution_page(request: Request) -> Response:
    return render(request, "execution.html", **_view(request))


def live_fragment(request: Request) -> Response:
    return render(request, "execution_live.html", **_view(request))


def _view(request: Request) -> dict[str, Any]:
    target = context(request).target
    reference = request.path_params["name"]
    data = execution_command(target, reference).data
    latest, steps = data["execution"], data["timeline"]
    definition = _definition(target, latest["arn"])
    ending = next(
        (s for s in reversed(steps) if s["state"] is None and s["kind"] in _ENDINGS), None
    )
    succeeded = next((s for s in steps if s["kind"] == "succeeded"), None)
    return {
        "reference": reference,
        "order_id": order_of(latest["name"]),
        "run": latest,
        "attempts": data["attempts"],
        "steps": steps,
        "waiting": data["waiting"],
        "ending": ending,
        "output": succeeded.get("output") if succeeded else None,
        "graph": drawing(definition, steps, latest["status"], data["waiting"]),
        "retryable": latest["status"] in RETRYABLE,
        "final": latest["status"] not in ("RUNNING", "PENDING_REDRIVE"),
    }


def _definition(target: Target, arn: str) -> dict[str, Any]:
    described = target.client("stepfunctions").describe_state_machine_for_execution(
        executionArn=arn
    )
    definition: dict[str, Any] = json.loads(described["definition"])
    return definition
