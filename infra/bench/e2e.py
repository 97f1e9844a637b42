"""Local end-to-end: orders per second from POST to a terminal state through the local stack.

One stack process on 2 noisy cores runs moto, the API and every function, so the figure is a
property of this machine and the emulation, not of AWS: use it to compare commits, not to
size production (AWS runs each function in its own execution environment).
"""

from __future__ import annotations

import os
from typing import Any

from infra.bench.stackrun import StackRun
from infra.bench.stats import percentile, rounded


def summarize(run: StackRun) -> dict[str, Any]:
    placed = [o for o in run.orders if o.order_id]
    done = [o for o in placed if o.finished is not None]
    result: dict[str, Any] = {
        "orders": len(run.orders),
        "warmup_orders": len(run.warmup),
        "concurrency": run.concurrency,
        "cores": os.cpu_count(),
        "stack_startup_s": rounded(run.startup_seconds, 2),
        "carrier_delays_s": {"dispatch": 0.05, "deliver": 0.1},
        "placed": len(placed),
        "terminal": len(done),
        "succeeded": sum(o.execution_status == "SUCCEEDED" for o in done),
        "completed_status": sum(o.final_status == "COMPLETED" for o in placed),
        "errors": run.errors + [o.error for o in run.warmup + run.orders if o.error],
    }
    result["not_succeeded"] = {
        o.order_id: {
            "execution": o.execution_status or "not terminal",
            "states": [e["state"] for e in run.histories.get(o.order_id, []) if e["state"]],
            "errors": sorted(
                {e["error"] for e in run.histories.get(o.order_id, []) if e.get("error")}
            ),
        }
        for o in placed
        if o.execution_status != "SUCCEEDED"
    }
    posts = [o.post_ms for o in run.orders if o.status_code == 201]
    if posts:
        result |= {
            "post_p50_ms": rounded(percentile(posts, 50), 1),
            "post_p95_ms": rounded(percentile(posts, 95), 1),
        }
    if done:
        first = min(o.started for o in run.orders)
        last = max(o.finished or 0.0 for o in done)
        spans = [(o.finished or 0.0) - o.started for o in done]
        result |= {
            "wall_s": rounded(last - first, 2),
            "orders_per_s": rounded(len(done) / max(last - first, 1e-9), 2),
            "order_to_terminal_p50_s": rounded(percentile(spans, 50), 2),
            "order_to_terminal_p95_s": rounded(percentile(spans, 95), 2),
        }
    return result
