"""Every function's Handler is an importable ``module.function`` of this repository.

The names are a contract with the handler code and the local stack: a rename on either side
fails here, not at the first cold start in AWS. Nothing is skipped: a handler module that is
not written yet fails until it is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from infra_support import functions, ref_id

REPO_ROOT = Path(__file__).resolve().parents[2]

DECIDED = {
    "ApiFunction": "handlers.api.handler",
    "WorkflowStarterFunction": "handlers.workflow_starter.handler",
    "UpstreamEventsFunction": "handlers.upstream_events.handler",
    "OutboxRelayFunction": "handlers.outbox_relay.handler",
    "AuthorizePaymentFunction": "handlers.tasks.authorize_payment.handler",
    "RequestShipmentFunction": "handlers.tasks.request_shipment.handler",
    "CapturePaymentFunction": "handlers.tasks.capture_payment.handler",
    "AskOperatorFunction": "handlers.tasks.ask_operator.handler",
    "CompleteOrderFunction": "handlers.tasks.complete_order.handler",
    "CancelShipmentFunction": "handlers.tasks.cancel_shipment.handler",
    "VoidPaymentFunction": "handlers.tasks.void_payment.handler",
    "RefundPaymentFunction": "handlers.tasks.refund_payment.handler",
    "FailOrderFunction": "handlers.tasks.fail_order.handler",
    "ReconcilerFunction": "handlers.reconciler.handler",
    "StripeEventsFunction": "handlers.stripe_consumer.handler",
    "StripeWebhookFunction": "handlers.stripe_webhook.handler",
}
NEEDS_STATE_MACHINE = {
    "ApiFunction",
    "WorkflowStarterFunction",
    "UpstreamEventsFunction",
    "RequestShipmentFunction",
    "CapturePaymentFunction",
    "AskOperatorFunction",
    "ReconcilerFunction",
}
NEEDS_IDEMPOTENCY_TABLE = {"ApiFunction"}
"""The functions whose handler module deduplicates requests through Powertools."""


def test_functions_and_handlers_are_the_decided_ones(cfn: dict[str, Any]) -> None:
    assert {name: props["Handler"] for name, props in functions(cfn).items()} == DECIDED


def test_every_function_is_python313_on_arm64(cfn: dict[str, Any]) -> None:
    for name, props in functions(cfn).items():
        assert props["Runtime"] == "python3.13", name
        assert props["Architectures"] == ["arm64"], name
        assert props["TracingConfig"] == {"Mode": "Active"}, name


_IMPORT_ALL = """
import importlib, json, os, sys, traceback
results = {}
for function, (handler, env) in json.loads(sys.argv[1]).items():
    os.environ.update(env)
    module_name, _, attribute = handler.rpartition(".")
    try:
        target = getattr(importlib.import_module(module_name), attribute, None)
        results[function] = "ok" if callable(target) else f"{handler} is not callable"
    except Exception:
        results[function] = traceback.format_exc(limit=3)
print(json.dumps(results))
"""


def _environment(props: dict[str, Any], sam: dict[str, Any]) -> dict[str, str]:
    """The function's environment as Lambda would set it: parameters at their defaults,
    placeholders for resources."""
    env: dict[str, str] = {}
    for key, value in props["Environment"]["Variables"].items():
        if isinstance(value, str):
            env[key] = value
        elif ref_id(value) in sam["Parameters"]:
            env[key] = str(sam["Parameters"][ref_id(value)]["Default"])
        else:
            env[key] = f"placeholder-{key.lower()}"
    return env


@pytest.fixture(scope="module")
def imported(cfn: dict[str, Any], sam: dict[str, Any]) -> dict[str, str]:
    """Import every handler in a fresh interpreter (no state leaks into this test process),
    each with its function's environment."""
    return _import_in_subprocess(
        {
            name: (props["Handler"], _environment(props, sam))
            for name, props in functions(cfn).items()
        }
    )


def _import_in_subprocess(plan: dict[str, tuple[str, dict[str, str]]]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    env.update(AWS_DEFAULT_REGION="us-east-1", PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL, json.dumps(plan)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome: dict[str, str] = json.loads(result.stdout.strip().splitlines()[-1])
    return outcome


@pytest.mark.parametrize("function", sorted(DECIDED))
def test_handler_resolves_to_a_callable(function: str, imported: dict[str, str]) -> None:
    assert imported[function] == "ok", f"{DECIDED[function]}:\n{imported[function]}"


def test_a_missing_handler_is_reported() -> None:
    outcome = _import_in_subprocess(
        {
            "Missing": ("handlers.no_such_module.handler", {}),
            "NotCallable": ("handlers.api.__doc__", {}),
        }
    )
    assert "ModuleNotFoundError" in outcome["Missing"]
    assert outcome["NotCallable"] == "handlers.api.__doc__ is not callable"


def test_environment(cfn: dict[str, Any], sam: dict[str, Any]) -> None:
    machine_name = sam["Resources"]["OrderSagaStateMachine"]["Properties"]["Name"]["Fn::Sub"]
    for name, props in functions(cfn).items():
        env = props["Environment"]["Variables"]
        assert env["ORDERS_TABLE"] == {"Ref": "OrdersTable"}, name
        assert env["EVENT_BUS_NAME"] == {"Ref": "OrderFlowBus"}, name
        assert env["POWERTOOLS_SERVICE_NAME"] == "orderflow", name
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "OrderFlow", name
        assert env["POWERTOOLS_LOG_LEVEL"] == {"Ref": "LogLevel"}, name
        assert "AWS_ACCOUNT_ID_ENDPOINT_MODE" not in env, name
        if name in NEEDS_STATE_MACHINE:
            # Built from the state machine's fixed Name: a reference would be a cycle.
            arn = env["STATE_MACHINE_ARN"]["Fn::Sub"]
            assert arn.endswith(f":stateMachine:{machine_name}"), name
        else:
            assert "STATE_MACHINE_ARN" not in env, name
        if name in NEEDS_IDEMPOTENCY_TABLE:
            assert env["IDEMPOTENCY_TABLE"] == {"Ref": "IdempotencyTable"}, name
        else:
            assert "IDEMPOTENCY_TABLE" not in env, name


def test_the_functions_that_use_an_idempotency_store_are_the_decided_ones(
    cfn: dict[str, Any],
) -> None:
    """A handler module that asks its app for the idempotency store needs the table (the
    composition root refuses to build the store without IDEMPOTENCY_TABLE)."""
    using = set()
    for name, props in functions(cfn).items():
        module = props["Handler"].rpartition(".")[0]
        source = (REPO_ROOT / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        if ".idempotency_store" in source:
            using.add(name)
    assert using == NEEDS_IDEMPOTENCY_TABLE


def test_api_timeout_is_below_the_integration_timeout(cfn: dict[str, Any]) -> None:
    api = functions(cfn)["ApiFunction"]
    assert api["Timeout"] < 29
    assert api["MemorySize"] == 512
