"""The arm64 deployment artifact's size, from ``python -m infra.package``'s report.

A full run builds the artifact first (pip downloads the arm64 wheels from the pinned, hashed
requirements); ``build=False`` (smoke) only reads build/package-report.json if it is there.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from infra.bench.template import REPO_ROOT

REPORT = REPO_ROOT / "build" / "package-report.json"
UNZIPPED_LIMIT_MB = 250.0
"""Lambda's limit for a function's unzipped code."""
MB = 1024 * 1024


def run(build: bool = True, report: Path = REPORT) -> dict[str, Any]:
    built: dict[str, Any] = {}
    if build:
        start = time.perf_counter()
        done = subprocess.run(  # our interpreter, our module
            [sys.executable, "-m", "infra.package"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=1200,
        )
        built = {
            "built": done.returncode == 0,
            "build_seconds": round(time.perf_counter() - start, 1),
        }
        if done.returncode != 0:
            built["build_error"] = (done.stderr.strip().splitlines() or ["?"])[-1][:300]
    if not report.exists():
        return {"status": "skipped", "reason": f"no {report.relative_to(REPO_ROOT)}", **built}
    data = json.loads(report.read_text())
    return {
        "status": "ok",
        **built,
        "report": str(report.relative_to(REPO_ROOT)),
        "zip_mb": round(data["zip_bytes"] / MB, 2),
        "unzipped_mb": round(data["unzipped_bytes"] / MB, 2),
        "files": data.get("files"),
        "bytecode": data.get("bytecode"),
        "platforms": data.get("platforms"),
        "python_version": data.get("python_version"),
        "unzipped_limit_mb": UNZIPPED_LIMIT_MB,
        "largest_mb": {
            k: round(v / MB, 2) for k, v in list((data.get("largest") or {}).items())[:8]
        },
    }
