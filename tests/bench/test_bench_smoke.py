"""The benchmark code runs (``python -m infra.bench --smoke``), for the parts that need no local
stack: cold start, warm overhead, package, cost. Sanity of the output only, never timings:
the numbers of a smoke run on a shared CI machine mean nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.bench.__main__ import main

PARTS = "cold,warm,package,cost"


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench")
    assert main(["--smoke", "--only", PARTS, "--out", str(out)]) == 0
    assert (out / "results.md").read_text().startswith("# OrderFlow benchmarks")
    loaded: dict[str, Any] = json.loads((out / "results.json").read_text())
    return loaded


def test_results_hold_the_parts_asked_for(results: dict[str, Any]) -> None:
    assert results["meta"]["smoke"] is True
    assert results["meta"]["cores"] > 0
    assert set(PARTS.split(",")) <= set(results)
    assert "e2e" not in results and "workflow" not in results


def test_cold_start_covers_every_handler_of_the_template(results: dict[str, Any]) -> None:
    cold = results["cold"]
    assert cold["errors"] == {}
    assert cold["baseline"]["import_ms_median"] > 0
    assert {
        "ApiFunction",
        "WorkflowStarterFunction",
        "UpstreamEventsFunction",
        "OutboxRelayFunction",
        "AuthorizePaymentFunction",
    } <= set(cold["handlers"])
    for handler in cold["handlers"].values():
        assert handler["ratio"] > 0 and handler["process_ratio"] > 0
        assert handler["module"].startswith("handlers.")
        heaviest = handler["heaviest_imports"]
        assert 0 < len(heaviest["modules"]) <= 10
        assert all(m["self_ms"] >= 0 for m in heaviest["modules"])


def test_warm_overhead_measures_each_case(results: dict[str, Any]) -> None:
    warm = results["warm"]
    assert warm["errors"] == {}
    assert {"api POST /orders", "outbox_relay", "task authorize_payment"} <= set(warm["cases"])
    for case in warm["cases"].values():
        assert case["handler"]["n"] == case["direct"]["n"] == warm["calls"] > 0
        assert case["handler"]["p50_ms"] > 0 and case["direct"]["p50_ms"] >= 0
        assert case["log_bytes_per_call"] >= 0
    assert warm["cases"]["api POST /orders"]["log_bytes_per_call"] > 0  # its metrics


def test_package_reads_the_report_when_there_is_one(results: dict[str, Any]) -> None:
    package = results["package"]
    assert package["status"] in ("ok", "skipped")
    if package["status"] == "ok":
        assert 0 < package["zip_mb"] < package["unzipped_mb"] <= package["unzipped_limit_mb"]


def test_cost_compares_the_shipped_design_with_the_alternatives(
    results: dict[str, Any],
) -> None:
    cost = results["cost"]
    assert cost["inputs"]["source"] == "assumed"  # no stack in a smoke run of these parts
    assert cost["prices"]["as_of"]
    designs = cost["designs"]
    assert set(designs) == {"standard", "standard-10-states", "express"}
    for design in designs.values():
        assert design["total_per_million"] > 0
        assert all(v >= 0 for v in design["per_million_orders"].values())
    standard, ten = designs["standard"], designs["standard-10-states"]
    assert (
        ten["per_million_orders"]["step_functions"]
        > standard["per_million_orders"]["step_functions"]
    )


def test_the_prices_file_is_dated_and_sourced() -> None:
    prices = json.loads(
        (Path(__file__).resolve().parents[2] / "infra/bench/prices-us-east-1.json").read_text()
    )
    assert prices["as_of"] and prices["source"] and prices["region"] == "us-east-1"
    assert all(v >= 0 for v in prices["prices"].values())
