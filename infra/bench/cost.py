"""Dollars per million orders, by service, at the list prices in prices-us-east-1.json.

The inputs (``cost_inputs.Inputs``) are per order: transitions, invocations and durations,
request units, events, requests. Three designs are priced with the same inputs: the shipped
Standard workflow, a 10-state Standard happy path, and Express (the saga split at its waits).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

from infra.bench.cost_inputs import XRAY_SAMPLING, Inputs

PRICES = Path(__file__).with_name("prices-us-east-1.json")
TARGET_PER_MILLION = 150.0
MILLION = 1_000_000
PLATFORM_LOG_BYTES = 300
"""Lambda's own START/END/REPORT lines per invocation."""
ENTRY_FUNCTIONS = (
    "ApiFunction",
    "OutboxRelayFunction",
    "WorkflowStarterFunction",
    "UpstreamEventsFunction",
)
"""Invocations that start a trace (the saga's tasks continue the execution's trace)."""
SAGA_PARTS = (
    ("AuthorizePaymentFunction", "RequestShipmentFunction"),
    ("CapturePaymentFunction",),
    ("CompleteOrderFunction",),
)
"""Express alternative: no task-token wait and 5 minutes at most, so the saga splits at each
of the carrier's waits (for its coming, then for delivery) into three executions, each
started by the carrier's event."""


def prices() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PRICES.read_text())
    return data


def breakdown(inputs: Inputs, design: str) -> dict[str, Any]:
    p = prices()["prices"]
    lam = sum(
        f.invocations_per_order
        * (
            p["lambda_request"]
            + f.memory_mb / 1024 * math.ceil(f.duration_ms) / 1000 * p["lambda_arm64_gb_second"]
        )
        for f in inputs.functions.values()
    )
    sfn, sfn_note = _step_functions(inputs, design, p)
    core = {
        "lambda": lam,
        "step_functions": sfn,
        "dynamodb": inputs.wru_per_order * p["dynamodb_ondemand_wru"]
        + inputs.rru_per_order * p["dynamodb_ondemand_rru"],
        "eventbridge": inputs.events_per_order
        * (p["eventbridge_custom_event"] + inputs.event_bytes / 1e9 * p["eventbridge_archive_gb"]),
        "sqs": inputs.sqs_requests_per_order * p["sqs_standard_request"],
        "api_gateway": inputs.api_requests_per_order * p["apigateway_rest_request"],
    }
    log_gb = (
        sum(
            f.invocations_per_order * (f.log_bytes_per_invocation + PLATFORM_LOG_BYTES)
            for f in inputs.functions.values()
        )
        / 1e9
    )
    logs = log_gb * p["cloudwatch_logs_ingest_gb"]
    traces = (
        sum(
            inputs.functions[n].invocations_per_order
            for n in ENTRY_FUNCTIONS
            if n in inputs.functions
        )
        * XRAY_SAMPLING
    )
    xray = traces * p["xray_trace_recorded"]
    slow = sum(
        f.invocations_per_order
        * (p["lambda_request"] + f.memory_mb / 1024 * 0.1 * p["lambda_arm64_gb_second"])
        for f in inputs.functions.values()
    )
    per_million = {k: round(v * MILLION, 2) for k, v in core.items()}
    total = sum(core.values()) + logs
    return {
        "design": design,
        "step_functions_note": sfn_note,
        "per_million_orders": per_million
        | {"cloudwatch_logs": round(logs * MILLION, 2), "xray_optional": round(xray * MILLION, 2)},
        "total_per_million": round(total * MILLION, 2),
        "total_with_xray_per_million": round((total + xray) * MILLION, 2),
        "lambda_if_100ms_per_invocation": round(slow * MILLION, 2),
    }


def _step_functions(inputs: Inputs, design: str, p: dict[str, Any]) -> tuple[float, str]:
    if design == "standard":
        return (
            inputs.transitions_per_order * p["stepfunctions_standard_transition"],
            f"Standard, {inputs.transitions_per_order:g} transitions per order (measured "
            "happy path), 90 days of execution history",
        )
    if design == "standard-10-states":
        return (
            10 * p["stepfunctions_standard_transition"],
            "Standard with 10 states on the happy path (Pass/Choice/status-update states)",
        )
    gb = p["stepfunctions_express_billed_memory_mb"] / 1024
    step = p["stepfunctions_express_billing_granularity_ms"]
    cost = 0.0
    for part in SAGA_PARTS:
        ms = sum(inputs.functions[n].duration_ms + 25 for n in part if n in inputs.functions)
        billed = math.ceil(ms / step) * step / 1000
        cost += (
            p["stepfunctions_express_request"] + gb * billed * p["stepfunctions_express_gb_second"]
        )
    return cost, (
        f"Express, {len(SAGA_PARTS)} executions per order (no task-token wait, 5 min limit), "
        "no execution history, at-least-once"
    )


def run(inputs: Inputs) -> dict[str, Any]:
    data = prices()
    designs = {d: breakdown(inputs, d) for d in ("standard", "standard-10-states", "express")}
    shipped = designs["standard"]
    return {
        "prices": {"file": str(PRICES.name), "as_of": data["as_of"], "region": data["region"]},
        "inputs": asdict(inputs),
        "designs": designs,
        "target_per_million": TARGET_PER_MILLION,
        "meets_target": shipped["total_with_xray_per_million"] <= TARGET_PER_MILLION,
    }
