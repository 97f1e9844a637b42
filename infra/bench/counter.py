"""Count what a happy path asks of AWS, inside the local stack's process.

``install()`` wraps every emulated service's ``call`` (each AWS request the data plane
answers, over HTTP or in-process) and the sandboxes' ``invoke``. Each call is attributed to its
caller: our functions (``handler``: requests from the sandboxes, whose clients say
``orderflow`` or Powertools in their user agent), other clients of the endpoint (``client``:
the benchmark's own polling, the operator CLI), the simulated carrier (``carrier``: in
production the carrier's own PutEvents) or the machinery AWS runs for us (``esm``: the
event-source pollers; ``sfn``: the state machine interpreter; ``eventbridge``: deliveries to
targets; ``local``: provisioning).
DynamoDB request units are computed from item sizes (DynamoDB's sizing rules): exactly for
reads and puts, and from the item's final size for updates (``resolve_updates``).
"""

from __future__ import annotations

import atexit
import json
import math
import os
import sys
import threading
from collections import Counter, defaultdict
from typing import Any

OUT_ENV = "ORDERFLOW_BENCH_COUNTS"
_CALLERS = (
    ("infra.local.carrier_sim", "carrier"),
    ("infra.local.dataplane.functions.sqs_poller", "esm"),
    ("infra.local.dataplane.functions.stream_poller", "esm"),
    ("infra.local.dataplane.functions.delivery", "esm"),
    ("infra.local.dataplane.functions.async_queue", "lambda"),
    ("infra.local.dataplane.events", "eventbridge"),
    ("infra.local.dataplane.states", "sfn"),
    ("moto", "sfn"),
    ("infra.local.stack", "local"),
    ("infra.local.provision", "local"),
    ("infra.local.creators", "local"),
)
_WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
_lock = threading.Lock()
calls: Counter[str] = Counter()
"""``caller service Operation`` -> count."""
events_put: Counter[str] = Counter()
"""caller -> PutEvents entries (each entry up to 64 KB is one billed event)."""
reads: list[dict[str, Any]] = []
writes: list[dict[str, Any]] = []
invocations: dict[str, list[float]] = defaultdict(list)
"""function name -> durations (ms) of each invocation."""


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's size of an item in AttributeValue form: names plus values."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "N":
        digits = raw.lstrip("-").replace(".", "").strip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: v}) for v in raw)
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in raw.items())
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in raw)
    return 0


_depth = threading.local()


def _caller() -> str:
    from infra.local.dataplane.server import caller

    agent = getattr(caller, "user_agent", None)
    if agent is not None:
        return "handler" if "orderflow" in agent or " PT/" in agent else "client"
    return _frames()


def _frames() -> str:
    """Who called, by the first module of ours on the stack outside this one."""
    frame = sys._getframe(1)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        for prefix, name in _CALLERS:
            if module.startswith(prefix):
                return name
        frame = frame.f_back  # type: ignore[assignment]
    return "other"


def _record(caller: str, service: str, op: str, params: dict[str, Any], result: Any) -> None:
    calls[f"{caller} {service} {op}"] += 1
    if service == "events" and op == "PutEvents":
        events_put[caller] += len(params.get("Entries") or [])
    if service != "dynamodb" or caller != "handler":
        return
    if op in _WRITES:
        _write(op, params, transactional=False)
    elif op == "TransactWriteItems":
        for entry in params.get("TransactItems") or []:
            ((kind, body),) = entry.items()
            _write(kind, body, transactional=True)
    elif op == "GetItem":
        found = (result or {}).get("Item") or {}
        reads.append(
            {
                "op": op,
                "bytes": item_size(found),
                "consistent": bool(params.get("ConsistentRead")),
                "items": 1,
            }
        )
    elif op in ("Query", "Scan"):
        found = (result or {}).get("Items") or []
        reads.append(
            {
                "op": op,
                "bytes": sum(item_size(i) for i in found),
                "consistent": bool(params.get("ConsistentRead")),
                "items": len(found),
            }
        )
    elif op == "TransactGetItems":
        for response in (result or {}).get("Responses") or []:
            reads.append(
                {
                    "op": op,
                    "bytes": item_size(response.get("Item") or {}),
                    "consistent": True,
                    "transactional": True,
                    "items": 1,
                }
            )


def _write(op: str, body: dict[str, Any], *, transactional: bool) -> None:
    """A put carries its item (size, keys, index keys); an update or delete only its key: its
    size is read from the table at the end of the run."""
    item = body.get("Item")
    writes.append(
        {
            "op": op,
            "table": body.get("TableName"),
            "transactional": transactional,
            "key": body.get("Key"),
            "item": item,
            "size": item_size(item) if item else None,
        }
    )


def key_string(table: str, key: dict[str, Any]) -> str:
    """``table|attr=value|...`` for an item's key in AttributeValue form (sorted by name)."""
    parts = [f"{k}={next(iter(v.values()))}" for k, v in sorted(key.items())]
    return "|".join([table, *parts])


def install() -> None:
    """Wrap the services and the sandboxes; dump the counts at exit to $OUT_ENV."""
    from infra.local.dataplane.service import JsonService
    from infra.local.sandbox.sandboxes import Sandboxes

    original_call = JsonService.call
    original_invoke = Sandboxes.invoke

    def counted_call(self: JsonService, operation: str, params: dict[str, Any]) -> Any:
        from infra.local.dataplane.server import caller

        nested = getattr(_depth, "value", 0)
        who = _frames() if nested else _caller()
        agent = getattr(caller, "user_agent", None)
        _depth.value = nested + 1
        if nested:  # a service calling another in-process (EventBridge delivering ...)
            caller.user_agent = None
        result = None
        try:
            result = original_call(self, operation, params)
            return result
        finally:
            _depth.value = nested
            caller.user_agent = agent
            with _lock:
                _record(who, self.NAME, operation, params, result)

    def counted_invoke(self: Sandboxes, fn: Any, event: bytes, request_id: Any = None) -> Any:
        outcome = original_invoke(self, fn, event, request_id)
        with _lock:
            invocations[fn.name].append(outcome.duration_ms)
        return outcome

    JsonService.call = counted_call  # type: ignore[method-assign]
    Sandboxes.invoke = counted_invoke  # type: ignore[method-assign]
    atexit.register(dump)


def snapshot() -> dict[str, Any]:
    with _lock:
        return {
            "calls": dict(calls),
            "events_put": dict(events_put),
            "reads": list(reads),
            "writes": list(writes),
            "invocations": {k: list(v) for k, v in invocations.items()},
        }


def dump() -> None:
    out = os.environ.get(OUT_ENV)
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump(snapshot(), f)


def main(argv: list[str]) -> int:
    """``python -c 'from infra.bench.counter import main; ...'``: the local stack, counted."""
    install()
    from infra.local.__main__ import main as local_main

    return local_main(argv)
