"""``python -m infra.bench [--smoke] [--only PART,...] [--out DIR]``; parts: cold, cold_stripe,
warm, dispatch, e2e, workflow, crash, restore, peer, package, cost, console.

Measures, once each, and writes DIR/results.json and DIR/results.md (default build/bench),
then prints the markdown. ``--smoke`` runs every part minimally (2 cold-start runs, 20 warm
calls, 2 orders, no build, no suite) to check the code, not the system. A part that fails is
reported as an error and the others still run; the exit status is 1 if any part failed.

e2e places 1,000 orders from 8 clients through the local stack with its state on disk (as
``make run`` keeps it), then the same with ``--no-persist``: the ratio is what persistence
costs. peer compares the data plane with MiniStack, operation by operation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infra.bench import (
    artifact,
    cold,
    console,
    cost,
    cost_inputs,
    crash,
    dispatch,
    e2e,
    peer,
    report,
    restore,
    stackrun,
    warm,
    workflow,
)
from infra.bench.template import REPO_ROOT

PARTS = (
    "cold",
    "cold_stripe",
    "warm",
    "dispatch",
    "e2e",
    "workflow",
    "crash",
    "restore",
    "peer",
    "package",
    "cost",
    "console",
)
FULL = {"orders": 1000, "cold_runs": 15, "warm_calls": 2000, "console_executions": 1000}
"""The full run's sizes (docs/performance.md states them); ``--smoke`` uses SMOKE."""
SMOKE = {"orders": 2, "cold_runs": 2, "warm_calls": 20, "console_executions": 20}
WARM_CASE_FUNCTIONS = {
    "workflow_starter": "WorkflowStarterFunction",
    "upstream_events": "UpstreamEventsFunction",
    "outbox_relay": "OutboxRelayFunction",
    "task authorize_payment": "AuthorizePaymentFunction",
    "task request_shipment": "RequestShipmentFunction",
    "task capture_payment": "CapturePaymentFunction",
    "task complete_order": "CompleteOrderFunction",
}


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m infra.bench", description=__doc__.split("\n")[0])
    p.add_argument("--smoke", action="store_true", help="minimal runs: checks the code only")
    p.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts (default all: {','.join(PARTS)})",
    )
    p.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "bench")
    p.add_argument(
        "--no-build", action="store_true", help="package: read the last report, build nothing"
    )
    p.add_argument(
        "--orders",
        type=int,
        default=None,
        help=f"e2e orders (default {FULL['orders']}; smoke {SMOKE['orders']})",
    )
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument(
        "--no-persistence-ratio",
        dest="persistence_ratio",
        action="store_false",
        help="e2e: skip the second run with --no-persist",
    )
    p.add_argument(
        "--cold-runs",
        type=int,
        default=None,
        help=f"default {FULL['cold_runs']}; smoke {SMOKE['cold_runs']}",
    )
    p.add_argument(
        "--warm-calls",
        type=int,
        default=None,
        help=f"default {FULL['warm_calls']}; smoke {SMOKE['warm_calls']}",
    )
    p.add_argument(
        "--console-executions",
        type=int,
        default=None,
        help=f"console: default {FULL['console_executions']}; smoke {SMOKE['console_executions']}",
    )
    ns = p.parse_args(argv)
    ns.parts = [s.strip() for s in ns.only.split(",") if s.strip()]
    unknown = set(ns.parts) - set(PARTS)
    if unknown:
        p.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    return ns


def _guarded(name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)
    try:
        return fn()
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        return {"status": "error", "error": f"{type(error).__name__}: {str(error)[:500]}"}


def main(argv: list[str] | None = None) -> int:
    ns = parse(argv)
    smoke, parts = ns.smoke, ns.parts
    sizes = SMOKE if smoke else FULL
    results: dict[str, Any] = {
        "meta": {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": f"{platform.system()} {platform.machine()}",
            "smoke": smoke,
            "parts": parts,
        }
    }
    if "cold" in parts:
        runs = ns.cold_runs or sizes["cold_runs"]
        results["cold"] = _guarded(
            "cold", lambda: cold.run(runs=runs, warm_up=not smoke, count=not smoke)
        )
    if "cold_stripe" in parts:
        runs = ns.cold_runs or sizes["cold_runs"]
        results["cold_stripe"] = _guarded(
            "cold_stripe",
            lambda: cold.run(runs=runs, warm_up=not smoke, count=not smoke, payments="stripe"),
        )
    if "warm" in parts:
        calls = ns.warm_calls or sizes["warm_calls"]
        results["warm"] = _guarded(
            "warm", lambda: warm.run(calls=calls, warmup=5 if smoke else 200)
        )
    if "dispatch" in parts:
        results["dispatch"] = _guarded(
            "dispatch",
            lambda: dispatch.run(calls=50 if smoke else 2000, warmup=5 if smoke else 100),
        )
    run: stackrun.StackRun | None = None
    if {"e2e", "workflow"} & set(parts) or ("cost" in parts and not smoke):
        orders = ns.orders or sizes["orders"]

        def local() -> dict[str, Any]:
            nonlocal run
            run = stackrun.run(
                n=orders,
                concurrency=min(ns.concurrency, orders),
                warmup=0 if smoke else ns.concurrency,
            )
            return {"status": "ok"}

        failed = _guarded(f"local stack ({orders} orders)", local)
        if run is None:
            for part in ("e2e", "workflow"):
                if part in parts:
                    results[part] = failed
    if run is not None and "e2e" in parts:
        done = run
        results["e2e"] = _guarded("e2e", lambda: e2e.summarize(done))
        if ns.persistence_ratio and not smoke and results["e2e"].get("orders_per_s"):
            results["e2e"]["persistence"] = _guarded(
                "e2e without persistence",
                lambda: _persistence(results["e2e"], orders, ns.concurrency),
            )
    if run is not None and "workflow" in parts:
        done = run
        results["workflow"] = _guarded("workflow", lambda: workflow.summarize(done))
        if not smoke and results["workflow"].get("status") == "ok":
            results["workflow"]["suite"] = _guarded("workflow suite", workflow.suite)
    if "crash" in parts:
        results["crash"] = _guarded(
            "crash", lambda: crash.run(answered=5 if smoke else 50, concurrency=ns.concurrency)
        )
    if "restore" in parts:
        results["restore"] = _guarded(
            "restore", lambda: restore.run(orders=20 if smoke else 10_000, rounds=1 if smoke else 2)
        )
    if "peer" in parts:
        results["peer"] = _guarded(
            "peer", lambda: peer.run(calls=20 if smoke else 200, rounds=1 if smoke else 5)
        )
    if "package" in parts:
        results["package"] = _guarded(
            "package", lambda: artifact.run(build=not (smoke or ns.no_build))
        )
    if "cost" in parts:
        results["cost"] = _guarded("cost", lambda: cost.run(_cost_inputs(run, results)))
    if "console" in parts:
        loaded = ns.console_executions or sizes["console_executions"]
        results["console"] = _guarded(
            "console", lambda: console.run(executions=loaded, requests=3 if smoke else 50)
        )
    ns.out.mkdir(parents=True, exist_ok=True)
    (ns.out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    markdown = report.render(results)
    (ns.out / "results.md").write_text(markdown + "\n")
    print(markdown)
    failed_parts = [
        k for k, v in results.items() if isinstance(v, dict) and v.get("status") == "error"
    ]
    if failed_parts:
        print(f"[bench] failed: {', '.join(failed_parts)}", file=sys.stderr)
    return 1 if failed_parts else 0


def _persistence(with_disk: dict[str, Any], orders: int, concurrency: int) -> dict[str, Any]:
    """The same orders with --no-persist: persistence's cost is the throughput it takes."""
    memory = stackrun.run(
        n=orders, concurrency=concurrency, warmup=concurrency, persist=False, histories=False
    )
    off = e2e.summarize(memory)
    on_rate, off_rate = with_disk["orders_per_s"], off.get("orders_per_s") or 0.0
    return {
        "orders_per_s_on": on_rate,
        "orders_per_s_off": off_rate,
        "post_p50_ms_off": off.get("post_p50_ms"),
        "cost": round(1 - on_rate / off_rate, 3) if off_rate else None,
        "target_cost": 0.10,
    }


def _cost_inputs(run: stackrun.StackRun | None, results: dict[str, Any]) -> cost_inputs.Inputs:
    if run is None or not run.completed:
        return cost_inputs.assumed_inputs()
    flow = results.get("workflow") or {}
    if "transitions_per_execution" not in flow:
        flow = workflow.summarize(run)
    transitions = float(flow["transitions_per_execution"])
    return cost_inputs.measured_inputs(run, transitions, _warm_loads(results.get("warm") or {}))


def _warm_loads(warm_results: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Logical id -> the warm benchmark's handler p50 and log bytes per call."""
    cases = warm_results.get("cases") or {}
    per_case = {
        case: {"duration_ms": c["handler"]["p50_ms"], "log_bytes": c["log_bytes_per_call"]}
        for case, c in cases.items()
        if "handler" in c
    }
    found = {fn: per_case[case] for case, fn in WARM_CASE_FUNCTIONS.items() if case in per_case}
    api = [per_case[c] for c in ("api POST /orders", "api GET /orders/{id}") if c in per_case]
    if api:  # one POST and one GET per order
        found["ApiFunction"] = {k: sum(a[k] for a in api) / len(api) for k in api[0]}
    return found


if __name__ == "__main__":
    raise SystemExit(main())
