"""Cold start: a fresh process imports a handler module with Lambda's environment set.

Each sample is one new interpreter that times ``import <module>`` from the inside (the init
phase Lambda bills) and is timed from the outside too (spawn to exit, interpreter start
included). Targets are interleaved round by round, in a shuffled order, against a bare
``import boto3`` baseline with the same environment, so machine noise hits all of them alike.
The ratio is median(handler import) / median(boto3 import).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from infra.bench import importtime
from infra.bench.stats import median, rounded
from infra.bench.template import REPO_ROOT, Function, functions, lambda_environment

BASELINE = "boto3"
TARGET_RATIO = 1.5
STRETCH_RATIO = 1.1
_CHILD = (
    "import time\n"
    "t0 = time.perf_counter_ns()\n"
    "import importlib\n"
    "m = importlib.import_module({module!r})\n"
    "t1 = time.perf_counter_ns()\n"
    "assert {attr!r} == '' or callable(getattr(m, {attr!r}))\n"
    "print(t1 - t0)\n"
)


@dataclass(frozen=True)
class Target:
    name: str
    module: str
    attr: str
    env: dict[str, str]


def base_env() -> dict[str, str]:
    """A clean environment: no developer AWS settings (endpoint, profile) leak into the child."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(REPO_ROOT),
        "PYTHONHASHSEED": "0",
    }


def targets(fns: list[Function]) -> list[Target]:
    api = next((f for f in fns if f.module == "handlers.api"), fns[0])
    found = [Target(BASELINE, BASELINE, "", base_env() | lambda_environment(api))]
    for fn in fns:
        module, attr = fn.handler.rsplit(".", 1)
        found.append(Target(fn.logical_id, module, attr, base_env() | lambda_environment(fn)))
    return found


def _check(target: Target) -> None:
    """Fail fast, as ``sample`` would, when the module cannot be imported (cheap: no spawn)."""
    import importlib.util

    if importlib.util.find_spec(target.module) is None:
        raise RuntimeError(f"{target.module}: no such module")


def sample(target: Target) -> tuple[float, float]:
    """(import ms, process ms) for one fresh interpreter."""
    code = _CHILD.format(module=target.module, attr=target.attr)
    start = time.perf_counter_ns()
    done = subprocess.run(  # noqa: S603  # our interpreter, our code
        [sys.executable, "-c", code],
        env=target.env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    wall = time.perf_counter_ns() - start
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        raise RuntimeError(f"{target.module}: import failed: {tail}")
    return int(done.stdout.strip().splitlines()[-1]) / 1e6, wall / 1e6


def run(runs: int = 15, top: int = 10, seed: int = 6, warm_up: bool = True) -> dict[str, Any]:
    """``warm_up``: one uncounted run per target first (bytecode cache, page cache)."""
    usable, errors = [], {}
    for target in targets(functions()):  # also checks that each one imports at all
        try:
            if warm_up or target.name == BASELINE:
                sample(target)
            else:
                _check(target)
            usable.append(target)
        except RuntimeError as error:
            errors[target.name] = str(error)
    if not usable or usable[0].name != BASELINE:
        raise RuntimeError(f"the baseline does not import: {errors}")
    imports: dict[str, list[float]] = {t.name: [] for t in usable}
    walls: dict[str, list[float]] = {t.name: [] for t in usable}
    rng = random.Random(seed)  # noqa: S311  # an order, not a secret
    for _ in range(runs):
        order = usable[:]
        rng.shuffle(order)
        for target in order:
            imp, wall = sample(target)
            imports[target.name].append(imp)
            walls[target.name].append(wall)
    base_imp, base_wall = median(imports[BASELINE]), median(walls[BASELINE])
    handlers: dict[str, Any] = {}
    for target in usable[1:]:
        imp, wall = median(imports[target.name]), median(walls[target.name])
        handlers[target.name] = {
            "module": target.module,
            "import_ms_median": rounded(imp, 1),
            "process_ms_median": rounded(wall, 1),
            "ratio": rounded(imp / base_imp, 2),
            "process_ratio": rounded(wall / base_wall, 2),
            "heaviest_imports": importtime.heaviest(target.module, target.env, top),
        }
    ratios = [h["ratio"] for h in handlers.values()]
    return {
        "runs": runs,
        "python": sys.version.split()[0],
        "cores": os.cpu_count(),
        "baseline": {
            "module": BASELINE,
            "import_ms_median": rounded(base_imp, 1),
            "process_ms_median": rounded(base_wall, 1),
            "heaviest_imports": importtime.heaviest(BASELINE, usable[0].env, top),
        },
        "handlers": handlers,
        "errors": errors,
        "max_ratio": max(ratios) if ratios else None,
        "target_ratio": TARGET_RATIO,
        "stretch_ratio": STRETCH_RATIO,
        "meets_target": bool(ratios) and max(ratios) <= TARGET_RATIO and not errors,
    }
