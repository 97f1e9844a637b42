"""What the cost model takes per order, from this run's measurements or from design figures.

``measured_inputs`` reads a local stack run (``StackRun``): invocations per function, DynamoDB
request units from item sizes (DynamoDB's sizing rules), events put on the bus; the state
transitions come from the workflow part, durations and log bytes from the warm part.
``assumed_inputs`` gives design figures for a smoke run that started no stack.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from infra.bench import counter
from infra.bench.stackrun import StackRun
from infra.bench.template import functions

XRAY_SAMPLING = 0.05


@dataclass
class FunctionLoad:
    memory_mb: int
    invocations_per_order: float
    duration_ms: float
    """What the cost uses: the warm benchmark's handler p50 (in-memory adapters)."""
    log_bytes_per_invocation: float = 0.0
    stack_duration_ms: float = 0.0
    """Median duration in the local stack run, for information only: one process on 2 cores
    runs moto and every function there, so it measures contention, not the function."""


@dataclass
class Inputs:
    source: str
    """``measured`` (this run) or ``assumed`` (design figures: no stack was started)."""
    functions: dict[str, FunctionLoad]
    transitions_per_order: float
    wru_per_order: float
    rru_per_order: float
    events_per_order: float
    """Domain events we publish plus the carrier's events on our bus."""
    event_bytes: float
    sqs_requests_per_order: float
    api_requests_per_order: float
    assumptions: list[str] = field(default_factory=list)
    wru_by_kind: dict[str, float] = field(default_factory=dict)


ASSUMED_DURATION_MS = 100.0
"""For a function the warm benchmark did not measure (or was not run)."""


def measured_inputs(
    run: StackRun, transitions: float, warm: dict[str, dict[str, float]] | None = None
) -> Inputs:
    """``warm``: logical id -> ``duration_ms`` and ``log_bytes`` from the warm benchmark."""
    orders = len(run.completed)
    if not orders:
        raise ValueError("no completed order to divide by")
    counts = run.counts
    loads, assumed = {}, []
    for fn in functions():
        durations = sorted(counts.get("invocations", {}).get(_physical(fn.logical_id), []))
        measured = (warm or {}).get(fn.logical_id, {})
        if durations and "duration_ms" not in measured:
            assumed.append(fn.logical_id)
        loads[fn.logical_id] = FunctionLoad(
            memory_mb=fn.memory_mb,
            invocations_per_order=len(durations) / orders,
            duration_ms=measured.get("duration_ms", ASSUMED_DURATION_MS),
            log_bytes_per_invocation=measured.get("log_bytes", 1000.0),
            stack_duration_ms=round(durations[len(durations) // 2], 1) if durations else 0.0,
        )
    wru, rru, by_kind = capacity_units(run)
    events = sum(counts.get("events_put", {}).get(c, 0) for c in ("handler", "carrier"))
    outbox = [v for k, v in run.item_sizes.items() if "|SK=EVENT#" in k]
    return Inputs(
        source="measured",
        functions=loads,
        transitions_per_order=transitions,
        wru_per_order=wru / orders,
        wru_by_kind={k: round(v / orders, 2) for k, v in by_kind.items() if v},
        rru_per_order=rru / orders,
        events_per_order=events / orders,
        event_bytes=sum(outbox) / len(outbox) if outbox else 1024.0,
        sqs_requests_per_order=3.0,
        api_requests_per_order=loads["ApiFunction"].invocations_per_order,
        assumptions=[
            f"{orders} completed orders of the local stack run; every figure is per order",
            "Lambda durations: the warm benchmark's handler p50 with in-memory adapters (a "
            "stand-in: AWS calls add network time; see the 100 ms sensitivity figure)"
            + (f"; assumed {ASSUMED_DURATION_MS:g} ms for {', '.join(assumed)}" if assumed else ""),
            "SQS: 3 requests per workflow start (EventBridge's SendMessage, the mapping's "
            "ReceiveMessage and DeleteMessage at batch size 1; batches of 10 cost less); "
            "idle long polling (~$0.26/month per queue) is not per order",
            "API: the POST and one GET per order, as the run did",
            "CloudWatch Logs: handler log bytes at INFO from the warm benchmark"
            + (" (1 KB assumed where it did not run)" if assumed else "")
            + " + 300 B of Lambda's own lines",
            f"X-Ray: one trace per entry invocation, sampled at {XRAY_SAMPLING:.0%}",
        ],
    )


def assumed_inputs() -> Inputs:
    """Design figures for a smoke run (no stack): 4 Task states (the capture at dispatch is
    one), 7 outbox events, 2 carrier events, ~48 WRU per order (the last measured 45 and the
    capture's own order version). Never quoted as measurements."""
    per_order = {
        "ApiFunction": 2,
        "OutboxRelayFunction": 3,
        "WorkflowStarterFunction": 1,
        "UpstreamEventsFunction": 2,
        "AuthorizePaymentFunction": 1,
        "RequestShipmentFunction": 1,
        "CapturePaymentFunction": 1,
        "CompleteOrderFunction": 1,
    }
    loads = {
        fn.logical_id: FunctionLoad(fn.memory_mb, per_order.get(fn.logical_id, 0), 60.0, 1000.0)
        for fn in functions()
    }
    return Inputs(
        source="assumed",
        functions=loads,
        transitions_per_order=4,
        wru_per_order=48,
        rru_per_order=8,
        events_per_order=9,
        event_bytes=400,
        sqs_requests_per_order=3,
        api_requests_per_order=2,
        assumptions=["design figures, not measured: run without --smoke"],
    )


def capacity_units(run: StackRun) -> tuple[float, float, dict[str, float]]:
    """(WRU, RRU, WRU by kind of item) of the functions' DynamoDB calls, by DynamoDB's sizing
    rules: 1 WRU per KB written (2 in a transaction, +1 per KB for each index copy), 1 RRU per
    4 KB read strongly (0.5 eventually, 2 in a transaction). A put is sized from its item, an
    update or delete from the item's size at the end of the run (1 KB if it is gone)."""
    wru, by_kind = 0.0, dict.fromkeys(KINDS.values(), 0.0)
    for write in run.counts.get("writes", []):
        table, item = str(write.get("table")), write.get("item")
        schema = run.schemas.get(table, {"key": ["PK", "SK"], "indexes": []})
        key = write.get("key") or {k: item[k] for k in schema["key"] if k in (item or {})}
        name = counter.key_string(table, key)
        kb = max(1, math.ceil((write.get("size") or run.item_sizes.get(name) or 1024) / 1024))
        units = kb * (2 if write.get("transactional") else 1)
        indexed = (
            any(all(a in item for a in index) for index in schema["indexes"])
            if item
            else name in run.gsi_keys
        )
        if indexed and write.get("op") != "ConditionCheck":
            units += kb  # the index's copy (projection ALL)
        wru += units
        by_kind[kind_of(table, key)] += units
    rru = 0.0
    for read in run.counts.get("reads", []):
        units = max(1, math.ceil(read["bytes"] / 4096)) * (1 if read["consistent"] else 0.5)
        rru += units * (2 if read.get("transactional") else 1)
    return wru, rru, by_kind


KINDS = {
    "EVENT#": "outbox events",
    "ORDER": "orders",
    "idempotency": "idempotency records",
    "PROVIDER#": "simulated providers' results",
    "": "other",
}


def kind_of(table: str, key: dict[str, Any]) -> str:
    def text(name: str) -> str:
        return str(next(iter((key.get(name) or {"S": ""}).values())))

    pk, sk = text("PK") or text("id"), text("SK")
    if "idempotency" in table or pk.startswith("idempotency"):
        return KINDS["idempotency"]
    if sk.startswith("EVENT#"):
        return KINDS["EVENT#"]
    if sk == "ORDER":
        return KINDS["ORDER"]
    if pk.startswith("PROVIDER#"):
        return KINDS["PROVIDER#"]
    return KINDS[""]


def _physical(logical_id: str) -> str:
    return f"orderflow-local-{logical_id}"
