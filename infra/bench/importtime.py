"""The heaviest imports of a module, from ``python -X importtime`` (one fresh process)."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from typing import Any

from infra.bench.cold_child import ABSENT
from infra.bench.template import REPO_ROOT


def parse(stderr: str) -> list[tuple[str, int, int]]:
    """(module, self us, cumulative us) for every line of ``-X importtime`` output."""
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|", 2)
        rows.append((name.strip(), int(self_us), int(cumulative_us)))
    return rows


def heaviest(module: str, env: dict[str, str], top: int = 10) -> dict[str, Any]:
    """The ``top`` modules by self time, and the top-level packages by summed self time."""
    done = subprocess.run(  # noqa: S603  # our interpreter, our module name
        [sys.executable, "-X", "importtime", "-c", f"{ABSENT}import {module}"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    rows = parse(done.stderr)
    by_package: dict[str, int] = defaultdict(int)
    for name, self_us, _ in rows:
        by_package[name.split(".")[0]] += self_us
    modules = sorted(rows, key=lambda r: r[1], reverse=True)[:top]
    packages = sorted(by_package.items(), key=lambda kv: kv[1], reverse=True)[:top]
    return {
        "total_ms": round(sum(r[1] for r in rows) / 1000, 1),
        "modules": [
            {"module": n, "self_ms": round(s / 1000, 1), "cumulative_ms": round(c / 1000, 1)}
            for n, s, c in modules
        ],
        "packages": [{"package": n, "self_ms": round(s / 1000, 1)} for n, s in packages],
    }
