"""Warm overhead: a handler around its application service versus the service called directly.

Runs in a child process with a Lambda-like environment (the handlers' JSON logs and metrics go
to its stdout, which is discarded) and the composition root's in-memory app installed in every
entry point (``infra.wiring.use_app``). For each case the handler call and the direct
call alternate, after a warm-up; overhead = handler percentile - direct percentile.
X-Ray tracing is off (POWERTOOLS_TRACE_DISABLED): there is no daemon or trace header locally.
"""

from __future__ import annotations

import gc
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from infra.bench.cold import base_env
from infra.bench.stats import median, percentile, rounded, summary_ms
from infra.bench.template import REPO_ROOT, functions, lambda_environment

TARGET_P99_MS = 1.0
BLOCKS = 5
"""The samples are also cut into this many consecutive blocks: the median of the blocks' p99
overheads is less exposed to a burst of load from another process than the p99 of all."""
CONTROL = "control (same work both sides)"


def run(calls: int = 2000, warmup: int = 200) -> dict[str, Any]:
    fns = functions()
    api = next(f for f in fns if f.module == "handlers.api")
    env = base_env() | lambda_environment(api) | {"POWERTOOLS_TRACE_DISABLED": "true"}
    for fn in fns:  # every handler's variables: one process runs them all
        env |= {k: v for k, v in fn.environment.items() if k not in env}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "warm.json"
        code = f"from infra.bench.warm import child; child({calls}, {warmup}, {str(out)!r})"
        done = subprocess.run(  # noqa: S603  # our interpreter, our code
            [sys.executable, "-c", code],
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=1800,
        )
        if done.returncode != 0:
            raise RuntimeError(f"warm benchmark failed: {done.stderr.strip()[-2000:]}")
        cases: dict[str, Any] = json.loads(out.read_text())
    control = cases.pop(CONTROL, {})
    worst = max(
        (c["overhead_p99_ms"] for c in cases.values() if "overhead_p99_ms" in c), default=None
    )
    errors = {k: v["error"] for k, v in cases.items() if "error" in v}
    return {
        "calls": calls,
        "warmup": warmup,
        "tracing": "disabled",
        "cases": cases,
        "control": control,
        "errors": errors,
        "max_overhead_p99_ms": worst,
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": worst is not None and worst <= TARGET_P99_MS and not errors,
    }


class _CountingStdout(io.TextIOWrapper):
    """The child's stdout (discarded by the parent), counting what the handlers log."""

    written = 0

    def write(self, text: str) -> int:
        type(self).written += len(text.encode())
        return super().write(text)


_stdout = _CountingStdout


def child(calls: int, warmup: int, out: str) -> None:
    """In the child: install in-memory adapters, time every case, write JSON to ``out``.

    stdout is replaced before any handler is imported, so Powertools' log handler (which keeps
    the stream it found) and its metrics (printed) write through the counter.
    """
    raw = sys.stdout.buffer
    sys.stdout = _CountingStdout(raw, encoding="utf-8", line_buffering=False)
    from infra.bench.warm_cases import CASES
    from infra.bench.world import World, memory_app
    from infra.wiring import use_app

    results: dict[str, Any] = {}
    for name, make in CASES.items():
        app = memory_app()
        use_app(app)
        try:
            pairs = make(World(app), warmup + calls)
            written = _stdout.written
            results[name] = _measure(pairs, warmup)
            results[name]["log_bytes_per_call"] = round((_stdout.written - written) / len(pairs))
        except Exception as error:  # one broken case must not hide the others
            results[name] = {"error": f"{type(error).__name__}: {str(error)[:300]}"}
        finally:
            use_app(None)
    Path(out).write_text(json.dumps(results))


def _measure(pairs: list[tuple[Any, Any]], warmup: int) -> dict[str, Any]:
    handler_ns: list[int] = []
    direct_ns: list[int] = []
    gc.collect()
    clock = time.perf_counter_ns
    for i, (via_handler, direct) in enumerate(pairs):
        first, second = (via_handler, direct) if i % 2 == 0 else (direct, via_handler)
        t0 = clock()
        first()
        t1 = clock()
        second()
        t2 = clock()
        if i < warmup:
            continue
        h, d = (t1 - t0, t2 - t1) if i % 2 == 0 else (t2 - t1, t1 - t0)
        handler_ns.append(h)
        direct_ns.append(d)
    handler, direct = summary_ms(handler_ns), summary_ms(direct_ns)
    size = max(1, len(handler_ns) // BLOCKS)
    blocks = [
        percentile(handler_ns[i : i + size], 99) / 1e6
        - percentile(direct_ns[i : i + size], 99) / 1e6
        for i in range(0, size * BLOCKS, size)
        if handler_ns[i : i + size]
    ]
    return {
        "handler": handler,
        "direct": direct,
        "overhead_p50_ms": rounded(handler["p50_ms"] - direct["p50_ms"], 4),
        "overhead_p99_ms": rounded(handler["p99_ms"] - direct["p99_ms"], 4),
        "overhead_p99_block_median_ms": rounded(median(blocks), 4),
    }
