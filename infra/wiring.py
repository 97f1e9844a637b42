"""Every entry point on one app, in one process: for the warm benchmark and the tests, which
run the real handlers on the in-memory app (on Lambda each function builds its own)."""

from __future__ import annotations

from handlers import (
    api,
    outbox_relay,
    reconciler,
    stripe_consumer,
    stripe_webhook,
    upstream_events,
    workflow_starter,
)
from handlers.common.bootstrap import App
from handlers.common.root import FunctionRoot
from handlers.tasks import _task

ROOTS: tuple[FunctionRoot, ...] = (
    api.root,
    outbox_relay.root,
    reconciler.root,
    stripe_consumer.root,
    stripe_webhook.root,
    upstream_events.root,
    workflow_starter.root,
    _task.root,
)
"""Every entry point's root (the task functions share ``_task``'s)."""


def use_app(app: App | None) -> None:
    """Run every entry point on ``app``; ``None`` builds each from its environment again."""
    for root in ROOTS:
        root.use(app)
