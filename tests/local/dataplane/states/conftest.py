from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.local import moto_patches
from infra.local.dataplane.functions.registry import configuration
from infra.local.dataplane.functions.service import Functions
from infra.local.dataplane.states.service import StepFunctions
from infra.local.dataplane.store import Store
from tests.support.dataplane import served
from tests.support.runners import InProcessRunner

ROLE = "arn:aws:iam::123456789012:role/saga"
TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def lambda_task(function: str, **extra: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": function, "Payload.$": "$"},
        "OutputPath": "$.Payload",
        **extra,
    }


@dataclass
class Machines:
    store: Store
    runner: InProcessRunner
    functions: Functions
    states: StepFunctions
    sfn: Any

    def function(self, name: str, code: Callable[[dict[str, Any]], Any]) -> None:
        self.runner.code[f"m.{name}"] = code
        with self.store.write() as db:
            self.functions.registry.put(
                db,
                configuration(
                    {"FunctionName": name, "Handler": f"m.{name}", "Role": ROLE, "Code": {}},
                    "us-east-1",
                    "123456789012",
                ),
            )

    def machine(self, name: str, states: dict[str, Any], start: str) -> str:
        definition = json.dumps({"StartAt": start, "States": states})
        made = self.sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE)
        return str(made["stateMachineArn"])

    def finished(self, arn: str, seconds: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while True:
            described: dict[str, Any] = self.sfn.describe_execution(executionArn=arn)
            if described["status"] in TERMINAL:
                return described
            assert time.monotonic() < deadline, f"{arn} still {described['status']}"
            time.sleep(0.02)


def machines_on(store: Store, runner: InProcessRunner) -> tuple[Functions, StepFunctions]:
    place = {"region": "us-east-1", "account": "123456789012", "clock": time.time}
    functions = Functions(store, runner=runner, **place)
    return functions, StepFunctions(store, **place)


@pytest.fixture
def routed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Functions], None]]:
    """The local stack's patches for the test, undone after (the workflow tests use moto's
    own clients)."""
    import inspect

    for patch in moto_patches.PATCHES:
        owner, leaf = patch._owner()
        monkeypatch.setattr(owner, leaf, inspect.getattr_static(owner, leaf))
    monkeypatch.setattr(moto_patches, "_installed", set(moto_patches._installed))
    moto_patches.apply(local_stack=True)

    def route(functions: Functions) -> None:
        def invoke(name: str, event: bytes) -> tuple[str | None, bytes]:
            result = functions.invoke(name, event)
            return result.function_error, result.payload

        moto_patches.route_interpreter(invoke)

    yield route
    moto_patches.route_interpreter(None)


@pytest.fixture
def machines(tmp_path: Path, routed: Callable[[Functions], None]) -> Iterator[Machines]:
    store, runner = Store(tmp_path / "stack.db"), InProcessRunner()
    functions, states = machines_on(store, runner)
    routed(functions)
    with served([states], rest=[functions]) as s:
        yield Machines(store, runner, functions, states, s.client("stepfunctions"))
    states.stop()
    store.close()
