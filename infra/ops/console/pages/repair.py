"""Retry a failed execution behind a confirmation that says what will happen (``retry.plan``:
RedriveExecution on AWS, a new execution locally), and the outcome page of every repair."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from infra.ops import retry
from infra.ops.console.pages.common import Outcome, checked_form, context, render
from infra.ops.errors import OpsError
from infra.ops.executions import order_of


def confirm_retry(request: Request) -> Response:
    target, name = context(request).target, request.path_params["name"]
    force = request.query_params.get("force") == "1"
    refusal = None
    try:
        chosen = retry.plan(target, name, force)
    except OpsError as refused:
        if force:
            raise
        chosen, refusal = retry.plan(target, name, force=True), str(refused)
    what = f"Retrying {chosen.latest['name']} ({chosen.latest['status']}) will {chosen.text}."
    if refusal:
        why_not = refusal.removesuffix("; --force retries anyway")
        what = f"Careful: {why_not}. Retrying anyway will {chosen.text}."
    return render(
        request,
        "confirm.html",
        title=f"Retry {chosen.latest['name']}",
        what=what,
        why="Retry once the cause of the failure is fixed, or it fails the same way again.",
        action=f"/executions/{name}/retry",
        button="Retry anyway" if refusal else "Retry",
        back=("Back to the execution", f"/executions/{name}"),
        possible=True,
        fields={"force": "1"} if refusal else {},
    )


async def do_retry(request: Request) -> Response:
    form = await checked_form(request)
    ctx, name = context(request), request.path_params["name"]
    done = await run_in_threadpool(retry.retry_command, ctx.target, name, form.get("force") == "1")
    follow = done.data.get("name") or order_of(name)
    outcome = Outcome(
        f"Retry {name}",
        [line for line in done.lines if "python -m infra.ops" not in line],
        True,
        [("Follow the execution", f"/executions/{follow}")],
    )
    return RedirectResponse(f"/done/{ctx.keep(outcome)}", status_code=303)


def outcome_page(request: Request) -> Response:
    found = context(request).outcomes.get(request.path_params["key"])
    if found is None:
        return render(
            request,
            "error.html",
            404,
            message="that outcome is no longer kept (the console keeps the last 100)",
        )
    return render(request, "outcome.html", outcome=found)
