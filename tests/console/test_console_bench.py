"""The console's benchmark part runs (``python -m infra.bench --smoke --only console``): every
page answered, its AWS calls counted. Sanity only, never timings."""

from __future__ import annotations

import json
from pathlib import Path

from infra.bench import console
from infra.bench.__main__ import main


def test_the_console_part_measures_every_page_on_both_stacks(tmp_path: Path) -> None:
    assert main(["--smoke", "--only", "console", "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "results.json").read_text())["console"]
    assert results["status"] == "ok" and results["executions"] == 20
    names = set(console.pages({s: "o" for s in console.MIX}))
    assert set(results["flavours"]) == {"aws", "local"}
    for measured in results["flavours"].values():
        assert set(measured) == names
        for page in measured.values():
            assert page["n"] == results["requests_per_page"] and page["p50_ms"] > 0
            assert page["aws_calls"] >= 1
    aws, local = results["flavours"]["aws"], results["flavours"]["local"]
    assert aws["executions, newest 50"]["aws_calls"] == 1  # one ListExecutions page
    # locally an order's page also asks for its emulated retries by name
    assert local["order story"]["aws_calls"] > aws["order story"]["aws_calls"]
    assert "## Operator console (20 executions" in (tmp_path / "results.md").read_text()
