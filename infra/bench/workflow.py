"""The workflow: the happy path's state transitions, counted from real execution histories
(moto's interpreter, through the local stack), and how long the workflow path suite takes.

Step Functions Standard bills every state entered, retries included: transitions =
``*StateEntered`` events + Task retries (``TaskScheduled`` beyond the first per Task state).
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from typing import Any

from infra.bench.stackrun import StackRun
from infra.bench.template import REPO_ROOT

SUITE = "tests/workflow"


def transitions(history: list[dict[str, Any]]) -> int:
    types = [e["type"] for e in history]
    entered = sum(t.endswith("StateEntered") for t in types)
    retries = max(0, types.count("TaskScheduled") - types.count("TaskStateEntered"))
    return entered + retries


def summarize(run: StackRun) -> dict[str, Any]:
    succeeded = {o.order_id for o in run.completed}
    histories = {k: v for k, v in run.histories.items() if k in succeeded}
    if not histories:
        return {
            "status": "failed",
            "reason": "no succeeded execution to count",
            **({"errors": run.errors} if run.errors else {}),
        }
    counts = [transitions(h) for h in histories.values()]
    sample = next(iter(histories.values()))
    return {
        "status": "ok",
        "executions": len(counts),
        "happy_path_states": [e["state"] for e in sample if e["type"].endswith("StateEntered")],
        "transitions_per_execution": statistics.median(counts),
        "transitions_min": min(counts),
        "transitions_max": max(counts),
        "history_events_per_execution": statistics.median(len(h) for h in histories.values()),
    }


def suite(path: str = SUITE) -> dict[str, Any]:
    """Run the workflow path suite once, as ``make test`` would (``-m "not aws"``), timed."""
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603  # our interpreter, our test suite
        [sys.executable, "-m", "pytest", path, "-p", "no:cacheprovider", "-m", "not aws"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    counts = re.compile(r"\d+ (passed|failed|error)")
    lines = [line.strip(" =") for line in done.stdout.splitlines() if counts.search(line)]
    return {
        "suite": path,
        "seconds": round(time.perf_counter() - start, 1),
        "exit_code": done.returncode,
        "summary": lines[-1] if lines else "",
    }
