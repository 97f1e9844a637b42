"""One cold start: a fresh interpreter imports a handler module and, if given an event, invokes
the handler once, timing both from the inside. Counted in instructions too, under valgrind.

Instructions (``valgrind --tool=cachegrind --cache-sim=no``) repeat to within a fraction of a
percent whatever else the machine does, where wall-clock ratios on a shared 2-core machine move
by 0.1-0.3 between runs; they leave out I/O and cache effects, which the timings keep.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.bench.template import REPO_ROOT

ABSENT = """\
import os, sys
_absent = frozenset(os.environ.get("BENCH_ABSENT_MODULES", "").split(",")) - {""}
class _NotShipped:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in _absent:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
if _absent:
    sys.meta_path.insert(0, _NotShipped)
"""
"""What a child runs first: the modules the Lambda artifact does not ship (``absent_modules``)
cannot be imported, as in Lambda, where the development environment would offer them (the
Stripe SDK, for one, imports httpx whenever it is installed)."""

CHILD = (
    ABSENT
    + """\
import json, sys, time
t0 = time.perf_counter_ns()
import importlib
module = importlib.import_module(sys.argv[1])
handler = getattr(module, sys.argv[2]) if sys.argv[2] else None
t1 = time.perf_counter_ns()
outcome = "imported"
if len(sys.argv) > 3:
    class Context:
        function_name = "orderflow-bench"
        function_version = "$LATEST"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:orderflow-bench"
        memory_limit_in_mb = 256
        aws_request_id = "00000000-0000-4000-8000-000000000000"
        log_group_name = "/aws/lambda/orderflow-bench"
        log_stream_name = "2026/01/01/[$LATEST]0123456789abcdef"
        def get_remaining_time_in_millis(self):
            return 30000
    with open(sys.argv[3]) as f:
        event = json.load(f)
    try:
        answer = handler(event, Context())
        outcome = str(answer.get("statusCode", "ok")) if isinstance(answer, dict) else "ok"
        if isinstance(answer, dict) and answer.get("batchItemFailures"):
            outcome = "batch item failures"
    except Exception as error:
        outcome = type(error).__name__
t2 = time.perf_counter_ns()
print("\\n" + json.dumps({"import_ns": t1 - t0, "total_ns": t2 - t0, "outcome": outcome}))
"""
)
EMPTY = ("sys", "")
"""A module every interpreter has loaded: the cost of the child script itself."""
_IREFS = re.compile(r"I\s+refs:\s+([\d,]+)")


@dataclass(frozen=True)
class Sample:
    import_ms: float
    total_ms: float
    outcome: str


def absent_modules() -> str:
    """Top-level modules installed here that the Lambda artifact does not have: those of every
    distribution not pinned in requirements/runtime.txt, first-party code and ``infra`` aside
    (the children import our handlers, and the bench's references live in ``infra.bench``)."""
    import importlib.metadata

    pins = (REPO_ROOT / "requirements" / "runtime.txt").read_text(encoding="utf-8")
    shipped = {_normal(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9._-]+)==", pins, re.M)}
    kept = {"domain", "adapters", "handlers", "infra"}
    absent = {
        module
        for module, dists in importlib.metadata.packages_distributions().items()
        if module not in kept
        and not module.startswith("_")
        and not any(_normal(d) in shipped for d in dists)
        and module not in sys.stdlib_module_names
    }
    return ",".join(sorted(absent))


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def argv(module: str, attr: str, event: dict[str, Any] | None, folder: Path) -> list[str]:
    args = [sys.executable, "-c", CHILD, module, attr]
    if event is not None:
        path = Path(tempfile.mkstemp(suffix=".json", dir=folder)[1])
        path.write_text(json.dumps(event), encoding="utf-8")
        args.append(str(path))
    return args


def run(args: list[str], env: dict[str, str]) -> Sample:
    done = _run(args, env)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return Sample(found["import_ns"] / 1e6, found["total_ns"] / 1e6, found["outcome"])


def instructions(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """(instructions the whole process executed, the child's outcome)."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise RuntimeError("valgrind is not installed (apt-get install valgrind)")
    tool = [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    done = _run([*tool, *args], env, timeout=900)
    found = _IREFS.search(done.stderr)
    if found is None:
        raise RuntimeError(f"valgrind printed no instruction count: {done.stderr[-300:]}")
    outcome = json.loads(done.stdout.strip().splitlines()[-1])["outcome"]
    return int(found.group(1).replace(",", "")), outcome


def _run(args: list[str], env: dict[str, str], timeout: int = 120) -> Any:
    done = subprocess.run(  # noqa: S603  # our interpreter, our code
        args, env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=timeout
    )
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        raise RuntimeError(f"{args[-2] if len(args) > 5 else args}: failed: {tail}")
    return done
