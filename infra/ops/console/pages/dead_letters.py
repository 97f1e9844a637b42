"""Every dead-letter queue with its depth and messages (the CLI's ``dlq --json``: redacted,
and each listed message received once), and a redrive behind a confirmation."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from infra.ops import dlq, redrive
from infra.ops.console.pages.common import Outcome, checked_form, context, render

LISTED = 20
"""Messages shown per queue."""


def dead_letters_page(request: Request) -> Response:
    queues = dlq.list_command(context(request).target, None, LISTED).data
    return render(request, "dead_letters.html", queues=queues, listed=LISTED)


def confirm_redrive(request: Request) -> Response:
    target = context(request).target
    queue = dlq.selected(target, request.path_params["queue"])[0]
    depth, text = redrive.plan(target, queue)
    return render(
        request,
        "confirm.html",
        title=f"Redrive {queue.label}",
        what=f"Redriving {queue.label} will {text}.",
        why=_WHY,
        action=f"/dlq/{queue.label}/redrive",
        button="Redrive",
        back=("Back to the dead letters", "/dlq"),
        possible=depth > 0,
        fields={},
    )


async def do_redrive(request: Request) -> Response:
    await checked_form(request)
    ctx, label = context(request), request.path_params["queue"]
    done = await run_in_threadpool(redrive.redrive_command, ctx.target, label)
    outcome = Outcome(
        f"Redrive {label}", done.lines, done.exit_code == 0, [("Dead letters", "/dlq")]
    )
    return RedirectResponse(f"/done/{ctx.keep(outcome)}", status_code=303)


_WHY = (
    "Each message is processed again by the consumer that failed it: starting a saga is "
    "idempotent (execution name = order id) and every consumer deduplicates on the event's "
    "id. Redrive once the cause is fixed, or the messages come back here."
)
