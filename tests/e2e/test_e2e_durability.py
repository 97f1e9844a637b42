"""What a restart, a crash and a fresh start do to the local stack's promises. Local only (each
test starts stacks of its own, on state directories of its own).

A 2xx is a promise: the order exists after a restart or a SIGKILL of the stack, and reaches a
terminal state; an execution left running is restarted (and says so); the same
Idempotency-Key answers the same order. Each function runs in its own sandbox, so nothing one
function does changes another's configuration.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.flows import carrier_says, execution_of, order_body, place, wait_for
from tests.e2e.targets import Target, local_stack

pytestmark = pytest.mark.e2e
TERMINAL = ("COMPLETED", "FAILED", "PAYMENT_FAILED", "CANCELLED")


def _stats(target: Target) -> dict[str, Any]:
    found: dict[str, Any] = httpx.get(f"{target.endpoint}/_orderflow/stats", timeout=10).json()
    return found


def _invocations(target: Target, logical_id: str) -> int:
    name = f"orderflow-local-{logical_id}"
    return int(_stats(target)["functions"].get(name, {}).get("invocations", 0))


def _dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _executions(target: Target) -> list[str]:
    pages = target.client("stepfunctions").get_paginator("list_executions")
    return [
        e["name"]
        for page in pages.paginate(stateMachineArn=target.names["state_machine"])
        for e in page["executions"]
    ]


def test_a_carrier_event_before_the_first_order_leaves_the_api_answering(tmp_path: Path) -> None:
    """The shared-process bug: one carrier event first, and every POST answered 500."""
    with local_stack(tmp_path, "--no-persist") as (target, _):
        carrier_says(
            target,
            "ShipmentDispatched",
            {"orderId": "no-such-order", "shipment": {"trackingNumber": "TRK-NONE"}},
        )
        deadline = time.monotonic() + 60
        while _invocations(target, "UpstreamEventsFunction") < 1:
            assert time.monotonic() < deadline, "the carrier event never reached its function"
            time.sleep(0.1)
        with target.http("e2e-first") as api:
            answer = place(api, order_body())
        assert answer.status_code == 201, answer.text


def test_orders_executions_and_idempotency_keys_survive_a_restart(tmp_path: Path) -> None:
    state = str(tmp_path / "state")
    with (
        local_stack(_dir(tmp_path / "first"), "--state-dir", state) as (target, _),
        target.http("e2e-ruth") as api,
    ):
        done = place(api, order_body()).json()
        wait_for(api, done["orderId"], "COMPLETED")
        keyed = place(api, order_body(), key="kept-across-restarts").json()
        waiting = place(api, order_body(city="Silentville")).json()
        booked = wait_for(api, waiting["orderId"], "SHIPMENT_REQUESTED")
        wait_for(api, keyed["orderId"], *TERMINAL)

    with (
        local_stack(_dir(tmp_path / "second"), "--state-dir", state) as (target, _),
        target.http("e2e-ruth") as api,
    ):
        assert api.get(f"/orders/{done['orderId']}").json()["status"] == "COMPLETED"
        assert execution_of(target, done["orderId"])["status"] == "SUCCEEDED"
        again = place(api, order_body(), key="kept-across-restarts")
        assert again.status_code == 201 and again.json()["orderId"] == keyed["orderId"]
        restarted = execution_of(target, waiting["orderId"])
        assert (restarted["status"], restarted["redriveCount"]) == ("RUNNING", 1)
        carrier_says(target, "ShipmentDispatched", booked)
        carrier_says(target, "ShipmentDelivered", booked)
        assert wait_for(api, waiting["orderId"], "COMPLETED", "FAILED")["status"] == "COMPLETED"
        names = _executions(target)
    for order in (done, keyed, waiting):
        assert names.count(order["orderId"]) == 1


def test_a_crash_loses_no_order_that_was_answered(tmp_path: Path) -> None:
    state = str(tmp_path / "state")
    answered: list[dict[str, Any]] = []
    enough = threading.Event()

    def place_one(api: httpx.Client) -> None:
        try:
            reply = place(api, order_body())
        except httpx.HTTPError:
            return  # in flight when the stack died: no promise was made
        if reply.status_code == 201:
            answered.append(reply.json())
            if len(answered) >= 6:
                enough.set()

    with local_stack(_dir(tmp_path / "first"), "--state-dir", state) as (target, process):
        with target.http("e2e-kim") as api, ThreadPoolExecutor(4) as clients:
            for _ in range(16):
                clients.submit(place_one, api)
            assert enough.wait(120), "the stack answered fewer than 6 orders"
            os.kill(process.pid, signal.SIGKILL)
        process.wait(30)

    assert len(answered) >= 6
    with (
        local_stack(_dir(tmp_path / "second"), "--state-dir", state) as (target, _),
        target.http("e2e-kim") as api,
    ):
        finals = [wait_for(api, o["orderId"], *TERMINAL) for o in answered]
        names = _executions(target)
    for order in finals:
        assert order["status"] == "COMPLETED", json.dumps(order)
        assert order["payment"]["captured"] == order["total"]
        assert names.count(order["orderId"]) == 1
