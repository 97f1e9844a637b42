"""Local Lambda dispatch: an invoke of a no-op handler in a warm sandbox, minus the handler.

What the local runtime adds to every invoke (the pipe round trip, the framing, the pool): the
figure the target "<= 1 ms p50" is about. The handler's own time, measured inside the sandbox,
is taken off each call.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from infra.bench.stats import percentile, rounded

NOOP = "def handler(event, context):\n    return None\n"


def run(calls: int = 2000, warmup: int = 100) -> dict[str, Any]:
    from infra.local.sandbox.environment import FunctionConfig, Surroundings
    from infra.local.sandbox.pool import FunctionPool

    with tempfile.TemporaryDirectory(prefix="orderflow-dispatch-") as tmp:
        root = Path(tmp)
        (root / "noop.py").write_text(NOOP)
        where = Surroundings(endpoint="http://127.0.0.1:9", region="us-east-1", task_root=root)
        fn = FunctionConfig(
            name="noop", arn="arn:aws:lambda:us-east-1:1:function:noop", handler="noop.handler"
        )
        pool = FunctionPool(fn, where, local_limit=1)
        try:
            cold = pool.invoke(b"{}")
            for _ in range(warmup):
                pool.invoke(b"{}")
            overhead, total = [], []
            for _ in range(calls):
                began = time.perf_counter()
                outcome = pool.invoke(b"{}")
                elapsed = (time.perf_counter() - began) * 1000
                total.append(elapsed)
                overhead.append(elapsed - outcome.duration_ms)
        finally:
            pool.close()
    return {
        "calls": calls,
        "cold_start_init_ms": rounded(cold.init_ms or 0.0, 1),
        "overhead_p50_ms": rounded(percentile(overhead, 50), 3),
        "overhead_p99_ms": rounded(percentile(overhead, 99), 3),
        "invoke_p50_ms": rounded(percentile(total, 50), 3),
        "target_ms": 1.0,
    }
