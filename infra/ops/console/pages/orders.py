"""One order's story: the item, its outbox events, its executions (the CLI's ``order --json``,
redacted there), and what asks an operator to act (a NEEDS_ATTENTION order's action, a stopped
saga). Re-fetched while an execution runs."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.status import TERMINAL
from infra.ops.console.pages.common import context, render
from infra.ops.orders import INDEXES, SHOWN, order_command
from infra.ops.retry import RETRYABLE


def find_order(request: Request) -> Response:
    """The header's search box: an order id."""
    wanted = request.query_params.get("q", "").strip()
    return RedirectResponse(f"/orders/{wanted}" if wanted else "/executions", status_code=303)


def order_page(request: Request) -> Response:
    return render(request, "order.html", **_view(request))


def live_fragment(request: Request) -> Response:
    return render(request, "order_live.html", **_view(request))


def _view(request: Request) -> dict[str, Any]:
    order_id = request.path_params["order_id"]
    data = order_command(context(request).target, order_id).data
    order, executions = data["order"] or {}, data["executions"]
    return {
        "order_id": order_id,
        "order": order,
        "events": [_event(e) for e in data["events"]],
        "executions": executions,
        "attention": attention(order, executions, data["action"]),
        "other": {k: v for k, v in order.items() if k not in SHOWN | INDEXES},
        "final": not any(e["status"] in ("RUNNING", "PENDING_REDRIVE") for e in executions),
    }


def attention(
    order: dict[str, Any], executions: list[dict[str, Any]], action: str | None = None
) -> list[tuple[str, str | None]]:
    """What an operator should act on, and where. ``action`` is what the domain asks of an
    operator (``domain/attention.py``, the CLI's ``order`` ACTION line: a NEEDS_ATTENTION
    order). Order flags that the domain adds later (money checks, the payment provider's
    disputes) belong here, one sentence each."""
    status = order.get("status")
    found: list[tuple[str, str | None]] = []
    latest = executions[-1] if executions else None
    if action:  # the saga waits in AskOperator meanwhile: its execution is the place to look
        reason = order.get("reason")
        waiting = latest if latest and latest["status"] == "RUNNING" else None
        found.append(
            (
                f"{reason}: {action}" if reason else action,
                f"/executions/{waiting['name']}" if waiting else None,
            )
        )
    if latest and latest["status"] in RETRYABLE and status not in TERMINAL:
        found.append(
            (
                f"the saga stopped ({latest['status']} {latest.get('error') or ''}) with the "
                f"order still {status or 'without an item'}: fix the cause, then retry it",
                f"/executions/{latest['name']}/retry",
            )
        )
    if order and not executions and status not in TERMINAL:
        found.append(
            (
                f"the order is {status} and has no workflow execution: look for its start in "
                "the dead letters (WorkflowStartDLQ)",
                "/dlq",
            )
        )
    return found


def _event(item: dict[str, Any]) -> dict[str, Any]:
    key = next((v for v in item.values() if isinstance(v, str) and v.startswith("EVENT#")), "")
    return {
        "version": key.removeprefix("EVENT#").lstrip("0") or "0",
        "type": item.get("eventType") or item.get("type") or "?",
        "at": item.get("occurredAt"),
        "detail": item.get("detail"),
    }
