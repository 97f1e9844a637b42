"""Local end-to-end: orders per second from POST to a terminal state through the local stack.

The stack runs the data plane in one process and each function in sandbox processes of its own,
all on this machine's cores: the figures are properties of this machine and the emulation, not
of AWS. Use them to compare commits, not to size production.
"""

from __future__ import annotations

import os
from typing import Any

from infra.bench.memory import Reading
from infra.bench.stackrun import StackRun
from infra.bench.stats import percentile, rounded

TARGETS = {
    "orders_per_s": 20.0,
    "post_p50_ms": 50.0,
    "post_p99_ms": 300.0,
    "post_p50_growth": 1.2,
    "rss_mib_after": 1024.0,
    "rss_growth": 1.5,
}
"""The local runtime's targets (docs/performance.md): measured, never asserted."""
WINDOW = 50
"""POST p50 of the first and the last WINDOW orders: cost with few and with many stored."""


def summarize(run: StackRun) -> dict[str, Any]:
    placed = [o for o in run.orders if o.order_id]
    done = [o for o in placed if o.finished is not None]
    statuses = [o.status_code for o in run.warmup + run.orders]
    result: dict[str, Any] = {
        "orders": len(run.orders),
        "warmup_orders": len(run.warmup),
        "concurrency": run.concurrency,
        "cores": os.cpu_count(),
        "persist": run.persist,
        "stack_startup_s": rounded(run.startup_seconds, 2),
        "carrier_delays_s": {"dispatch": 0.05, "deliver": 0.1},
        "placed": len(placed),
        "terminal": len(done),
        "succeeded": sum(o.execution_status == "SUCCEEDED" for o in done),
        "completed_status": sum(o.final_status == "COMPLETED" for o in placed),
        "answers_5xx": sum(s >= 500 for s in statuses),
        "answers_504": statuses.count(504),
        "transport_errors": sum(bool(o.error) for o in run.warmup + run.orders),
        "orders_with_other_than_one_execution": sorted(
            o.order_id
            for o in run.warmup + run.orders
            if o.order_id and run.executions_per_order.get(o.order_id, 0) != 1
        )[:20],
        "errors": run.errors + [o.error for o in run.warmup + run.orders if o.error],
        "targets": TARGETS,
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
    result |= _posts(run) | _throughput(run, done) | _memory(run) | _calls(run)
    return result


def _calls(run: StackRun) -> dict[str, Any]:
    """AWS calls per order, by caller (``handler``: the functions' own) and by operation."""
    orders = len([o for o in run.warmup + run.orders if o.order_id]) or 1
    by_caller: dict[str, float] = {}
    by_operation: dict[str, float] = {}
    for key, count in (run.counts.get("calls") or {}).items():
        caller, service, operation = key.split(" ", 2)
        if caller == "client":  # the benchmark's own polling
            continue
        by_caller[caller] = by_caller.get(caller, 0) + count / orders
        name = f"{caller} {service} {operation}"
        by_operation[name] = by_operation.get(name, 0) + count / orders
    top = sorted(by_operation.items(), key=lambda kv: -kv[1])[:15]
    return {
        "calls_per_order": {k: round(v, 1) for k, v in sorted(by_caller.items())},
        "top_calls_per_order": {k: round(v, 2) for k, v in top},
    }


def _posts(run: StackRun) -> dict[str, Any]:
    ordered = sorted(run.orders, key=lambda o: o.started)
    posts = [o.post_ms for o in ordered if o.status_code == 201]
    if not posts:
        return {}
    out = {
        "post_p50_ms": rounded(percentile(posts, 50), 1),
        "post_p95_ms": rounded(percentile(posts, 95), 1),
        "post_p99_ms": rounded(percentile(posts, 99), 1),
    }
    if len(posts) >= 4 * WINDOW:
        first = percentile(posts[:WINDOW], 50)
        last = percentile(posts[-WINDOW:], 50)
        out |= {
            "post_p50_first_ms": rounded(first, 1),
            "post_p50_last_ms": rounded(last, 1),
            "post_p50_growth": rounded(last / first, 2),
        }
    return out


def _throughput(run: StackRun, done: list[Any]) -> dict[str, Any]:
    if not done:
        return {}
    first = min(o.started for o in run.orders)
    last = max(o.finished or 0.0 for o in done)
    spans = [(o.finished or 0.0) - o.started for o in done]
    return {
        "wall_s": rounded(last - first, 2),
        "orders_per_s": rounded(len(done) / max(last - first, 1e-9), 2),
        "order_to_terminal_p50_s": rounded(percentile(spans, 50), 2),
        "order_to_terminal_p95_s": rounded(percentile(spans, 95), 2),
    }


def _memory(run: StackRun) -> dict[str, Any]:
    def shown(reading: Reading) -> dict[str, float]:
        return {
            "processes": reading.processes,
            "rss_mib": reading.rss_mib,
            "pss_mib": reading.pss_mib,
            "stack_rss_mib": reading.stack_rss_mib,
        }

    out: dict[str, Any] = {"memory": {k: shown(v) for k, v in run.memory.items()}}
    end, mark = run.memory.get("end"), run.memory.get("mark")
    if end is not None:
        out["rss_mib_after"] = end.rss_mib
        out["pss_mib_after"] = end.pss_mib
    if end is not None and mark is not None and mark.rss_mib:
        out["rss_growth"] = rounded(end.rss_mib / mark.rss_mib, 2)
        out["pss_growth"] = rounded(end.pss_mib / max(mark.pss_mib, 1e-9), 2)
    return out
