"""A crash with orders in flight: every order answered 201 must exist after the restart and
reach a terminal state, once.

The stack runs with its state on disk; ``concurrency`` clients place orders; once ``answered``
orders have had their 201 (others still in flight), the stack is killed with SIGKILL (its
sandboxes go with it). A new stack starts on the same state; the figure is how long, from
that start, until every answered order is terminal, and whether any order got a second
execution or a second capture.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from infra.bench import events, stackrun
from infra.bench.stats import rounded

TERMINAL = {"COMPLETED", "FAILED", "PAYMENT_FAILED", "CANCELLED"}


def run(answered: int = 50, concurrency: int = 8, bound: float = 180.0) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="orderflow-crash-") as tmp:
        return _run(Path(tmp), answered, concurrency, bound)


def _run(tmp: Path, wanted: int, concurrency: int, bound: float) -> dict[str, Any]:
    import httpx

    accepted: list[str] = []
    in_flight_at_kill = 0
    with stackrun.Stack(tmp / "first", state_dir=tmp / "state") as first:
        token = first.token("crash-bench")
        enough, lock = threading.Event(), threading.Lock()
        with (
            httpx.Client(base_url=first.api, timeout=60) as http,
            ThreadPoolExecutor(concurrency) as clients,
        ):

            def place(_: int) -> None:
                if enough.is_set():
                    return
                try:
                    reply = _post(http, token)
                except httpx.HTTPError:
                    return  # in flight when the stack died: no promise was made
                if reply.status_code == 201:
                    with lock:
                        accepted.append(reply.json()["orderId"])
                        if len(accepted) >= wanted:
                            enough.set()

            futures = [clients.submit(place, n) for n in range(wanted * 3)]
            enough.wait(bound)
            in_flight_at_kill = sum(not f.done() for f in futures)
            os.killpg(first.process.pid, signal.SIGKILL)
            first.process.wait(30)
    restarted = time.monotonic()
    with stackrun.Stack(tmp / "second", state_dir=tmp / "state") as second:
        ready = time.monotonic() - restarted
        finals = _await_terminal(second, accepted, restarted + bound)
        executions = second.executions_per_order()
    done = [o for o in finals.values() if o.get("status") in TERMINAL]
    return {
        "answered_before_kill": len(accepted),
        "requests_in_flight_at_kill": in_flight_at_kill,
        "restart_ready_s": rounded(ready, 2),
        "terminal_after_restart": len(done),
        "all_terminal_within_s": rounded(max((o["_seen"] for o in done), default=0.0), 2)
        if len(done) == len(accepted)
        else None,
        "missing_after_restart": sum(1 for o in finals.values() if not o),
        "orders_with_two_executions": sum(executions.get(k, 0) > 1 for k in accepted),
        "orders_with_no_execution": sum(executions.get(k, 0) == 0 for k in accepted),
        "orders_over_captured": sum(
            1
            for o in done
            if float(o["payment"]["captured"]["amount"]) > float(o["total"]["amount"])
        ),
        "statuses": sorted({str(o.get("status")) for o in finals.values()}),
        "target_s": 60,
    }


def _post(http: Any, token: str) -> Any:
    return http.post(
        "/orders",
        json=events.ORDER_BODY,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
    )


def _await_terminal(stack: stackrun.Stack, orders: list[str], deadline: float) -> dict[str, Any]:
    import httpx

    began = time.monotonic()
    token = stack.token("crash-bench")
    seen: dict[str, Any] = {k: {} for k in orders}
    with httpx.Client(base_url=stack.api, timeout=60) as http:
        while time.monotonic() < deadline:
            waiting = [k for k, o in seen.items() if o.get("status") not in TERMINAL]
            if not waiting:
                break
            for order_id in waiting:
                reply = http.get(
                    f"/orders/{order_id}", headers={"Authorization": f"Bearer {token}"}
                )
                if reply.status_code == 200:
                    seen[order_id] = reply.json() | {"_seen": time.monotonic() - began}
            time.sleep(0.25)
    return seen
