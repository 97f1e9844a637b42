"""workflows/*.asl.json: valid ASL (asl-validator), and the error-handling rules of the saga.

asl-validator comes from node_modules (``make node``). Locally a missing install skips its
tests; on CI (``CI`` set) it fails them, so the check can never silently drop out of the build.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from domain import errors
from domain.order_payment import AUTHORIZATION_LIFETIME, DISPATCH_WINDOW
from tests.support.sfn_runner import ORDER_SAGA_ASL, REPO_ROOT
from tests.workflow.support import saga_tasks

WORKFLOWS = sorted((REPO_ROOT / "workflows").glob("*.asl.json"))
VALIDATOR = REPO_ROOT / "node_modules" / ".bin" / "asl-validator"
SAGA: dict[str, Any] = json.loads(ORDER_SAGA_ASL.read_text(encoding="utf-8"))
STATES: dict[str, dict[str, Any]] = SAGA["States"]
TASKS = {name: state for name, state in STATES.items() if state["Type"] == "Task"}

FORWARD = ("AuthorizePayment", "RequestShipment", "CapturePayment", "CompleteOrder")
WAITS = ("RequestShipment", "CapturePayment", "AskOperator")
COMPENSATIONS = ("CancelShipment", "VoidPayment", "RefundPayment", "FailOrder")
HAPPY_PATH_TRANSITIONS = 4
"""$0.10 per 1,000 orders at $0.025 per 1,000 transitions (docs/workflow.md)."""
LAMBDA_TRANSIENT = frozenset(
    {
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    }
)
DOMAIN_ERRORS = {
    cls.__name__: cls
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, errors.DomainError)
}
TRANSIENT = frozenset(n for n, cls in DOMAIN_ERRORS.items() if cls.transient) | LAMBDA_TRANSIENT
BUSINESS = frozenset(n for n, cls in DOMAIN_ERRORS.items() if not cls.transient)
WAIT_TIMEOUTS = frozenset({"States.Timeout", "States.HeartbeatTimeout"})
EVENTBRIDGE_RETRY_WINDOW = 24 * 3600


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _npx() -> str:
    npx = shutil.which("npx")
    if npx is None or not VALIDATOR.exists():
        missing = "npx" if npx is None else "node_modules/.bin/asl-validator"
        if _on_ci():
            pytest.fail(f"{missing} is missing on CI: the build must run `make node` first")
        pytest.skip(f"{missing} is not installed: run `make node` (npm ci) to enable")
    return npx


def _validate(npx: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    files = [arg for path in paths for arg in ("--json-path", str(path))]
    return subprocess.run(
        [npx, "--no-install", "asl-validator", *files],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# ----- asl-validator ---------------------------------------------------------------------------
def test_there_is_a_workflow_to_validate() -> None:
    assert ORDER_SAGA_ASL in WORKFLOWS


def test_asl_validator_accepts_every_workflow() -> None:
    result = _validate(_npx(), *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_asl_validator_rejects_a_broken_definition(tmp_path: Path) -> None:
    """The check can fail: a Next that names no state is refused."""
    broken = json.loads(ORDER_SAGA_ASL.read_text(encoding="utf-8"))
    broken["States"]["AuthorizePayment"]["Next"] = "NoSuchState"
    path = tmp_path / "broken.asl.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    result = _validate(_npx(), path)
    assert result.returncode != 0
    assert "NoSuchState" in result.stdout + result.stderr


# ----- the saga's rules ------------------------------------------------------------------------
def test_the_happy_path_is_four_task_transitions() -> None:
    path, name = [], SAGA["StartAt"]
    while True:
        path.append(name)
        state = STATES[name]
        if state.get("End"):
            break
        name = state["Next"]
    assert path == list(FORWARD)
    assert len(path) == HAPPY_PATH_TRANSITIONS
    assert {STATES[n]["Type"] for n in path} == {"Task"}  # no Pass or Choice on the way


WORKFLOW_MD = (REPO_ROOT / "docs" / "workflow.md").read_text(encoding="utf-8")


def _doc_table(heading: str) -> list[list[str]]:
    """The rows of the first table after the line starting with ``heading``."""
    lines = WORKFLOW_MD[WORKFLOW_MD.index(heading) :].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            return rows
        rows.append([_unbold(cell.strip()) for cell in line.strip("|").split("|")])
    return rows


def _unbold(cell: str) -> str:
    return cell[2:-2] if cell.startswith("**") and cell.endswith("**") else cell


def _edges() -> set[tuple[str, str]]:
    edges = set()
    for name, state in STATES.items():
        for nxt in [state.get("Next")] + [c["Next"] for c in state.get("Catch", [])]:
            if nxt:
                edges.add((name, nxt))
    return edges


def test_docs_state_the_happy_paths_count() -> None:
    assert f"## Cost: {HAPPY_PATH_TRANSITIONS} transitions on the happy path" in WORKFLOW_MD
    assert " -> ".join(FORWARD) in WORKFLOW_MD


def test_the_docs_path_table_follows_the_asl() -> None:
    rows = _doc_table("| Path | States entered")
    assert rows[0][1].split(", ") == list(FORWARD)
    for path, states, transitions, _cost in rows:
        names = states.split(", ")
        assert int(transitions) == len(names), path
        assert names[0] == SAGA["StartAt"], path
        assert all(pair in _edges() for pair in itertools.pairwise(names)), path
        last = STATES[names[-1]]
        assert last.get("End") or last["Type"] == "Succeed", f"{path} does not end there"


def test_the_docs_retry_table_is_the_asl() -> None:
    documented = {row[0]: row[1:] for row in _doc_table("| State | Retried errors")}
    for name, state in TASKS.items():
        [retrier] = state["Retry"]
        named = [e for e in retrier["ErrorEquals"] if e not in LAMBDA_TRANSIENT]
        expected = [
            ", ".join([*named, "Lambda.*"]),
            f"{retrier['IntervalSeconds']} s / {retrier['MaxDelaySeconds']} s / "
            f"{retrier['MaxAttempts']}",
        ]
        assert documented.pop(name) == expected, name
    assert documented == {}


def test_the_docs_catch_table_is_the_asl() -> None:
    documented = {(row[0], row[1], row[2]) for row in _doc_table("| State | Caught")}
    expected = set()
    for name, state in STATES.items():
        for catcher in state.get("Catch", []):
            errors = ", ".join(catcher["ErrorEquals"])
            if catcher["Next"] == "CompensationFailed":
                errors = "its retried errors, retries exhausted"
            expected.add((name, errors, catcher["Next"]))
    assert documented == expected


def test_jsonpath_not_jsonata() -> None:
    assert SAGA["QueryLanguage"] == "JSONPath"
    assert "{%" not in ORDER_SAGA_ASL.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(TASKS))
def test_retry_is_bounded_backoff_with_jitter_on_transient_errors_only(name: str) -> None:
    retriers = TASKS[name].get("Retry", [])
    assert retriers, f"{name} retries nothing"
    for retrier in retriers:
        listed = set(retrier["ErrorEquals"])
        assert listed <= TRANSIENT, f"{name} retries non-transient {listed - TRANSIENT}"
        assert retrier["JitterStrategy"] == "FULL"
        assert retrier["BackoffRate"] > 1
        assert 0 < retrier["MaxAttempts"] <= 12
        assert 0 < retrier["MaxDelaySeconds"] <= 600
    retried = {error for retrier in retriers for error in retrier["ErrorEquals"]}
    assert retried >= LAMBDA_TRANSIENT, f"{name} does not retry Lambda's own throttling"
    assert "ConcurrencyConflict" in retried


def test_compensations_try_harder_than_forward_steps() -> None:
    def attempts(name: str) -> int:
        return min(retrier["MaxAttempts"] for retrier in TASKS[name]["Retry"])

    assert min(attempts(n) for n in COMPENSATIONS) > max(attempts(n) for n in FORWARD)


@pytest.mark.parametrize("name", sorted(STATES))
def test_catch_names_errors_and_nothing_catches_all(name: str) -> None:
    known = BUSINESS | TRANSIENT | WAIT_TIMEOUTS
    for catcher in STATES[name].get("Catch", []):
        listed = set(catcher["ErrorEquals"])
        assert listed, f"{name} has an empty Catch"
        assert not {"States.ALL", "States.TaskFailed"} & listed, f"{name} catches everything"
        assert listed <= known, f"{name} catches unknown errors {listed - known} (a typo?)"
        assert catcher["Next"] in STATES


def test_forward_steps_catch_business_errors_and_compensations_end_visibly() -> None:
    for name in (*FORWARD, "AskOperator"):
        for catcher in TASKS[name].get("Catch", []):
            assert set(catcher["ErrorEquals"]) <= BUSINESS | WAIT_TIMEOUTS, (
                f"{name}: an exhausted transient error must stay uncaught (redrive)"
            )
            assert catcher["ResultPath"] == "$.error"  # FailOrder's reason
    for name in COMPENSATIONS:
        [catcher] = TASKS[name]["Catch"]
        assert set(catcher["ErrorEquals"]) == {
            e for retrier in TASKS[name]["Retry"] for e in retrier["ErrorEquals"]
        }
        assert catcher["Next"] == "CompensationFailed"
        assert catcher["ResultPath"] == "$.compensationError"  # keeps $.error
    assert STATES["CompensationFailed"]["Type"] == "Fail"


def test_business_failures_end_succeeded_and_only_faults_end_failed() -> None:
    """The compensation chain ends in FailOrder (SUCCEEDED); the only Fail state is
    CompensationFailed: a FAILED execution is a bug, an outage or CompensationFailed."""
    chain, name = [], "CancelShipment"
    while name:
        chain.append(name)
        name = STATES[name].get("Next")
    assert chain == list(COMPENSATIONS) and STATES["FailOrder"]["End"] is True
    assert [n for n, s in STATES.items() if s["Type"] == "Fail"] == ["CompensationFailed"]
    assert [n for n, s in STATES.items() if s["Type"] == "Choice"] == []


def test_after_dispatch_no_catch_voids_or_refunds_a_silent_carrier() -> None:
    """A timeout after the capture goes to an operator, never to a compensation."""
    for name in ("CapturePayment", "AskOperator"):
        for catcher in TASKS[name].get("Catch", []):
            if set(catcher["ErrorEquals"]) & WAIT_TIMEOUTS:
                assert catcher["Next"] == "AskOperator"
    assert "TimeoutSeconds" not in TASKS["AskOperator"]  # the execution's timeout pages


def test_each_task_handler_treats_as_outcomes_what_its_state_catches() -> None:
    """What a handler counts as a fault (TaskErrors, which pages) is exactly what its state
    does not catch and does not retry; a waiting state also catches what arrives through its
    task token (the carrier's ShipmentFailed, the customer's CancellationRequested)."""
    import importlib

    through_the_token = {"ShipmentFailed", "CancellationRequested"}
    for name, state in TASKS.items():
        module = importlib.import_module(f"handlers.tasks.{_snake(name)}")
        caught = {e for c in state.get("Catch", []) for e in c["ErrorEquals"]} & BUSINESS
        declared = {cls.__name__ for cls in module.handler.caught}
        assert declared <= caught, name
        assert caught - declared <= (through_the_token if name in WAITS else set()), name


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def test_every_state_is_reachable() -> None:
    targets = {SAGA["StartAt"]}
    for state in STATES.values():
        targets |= {state.get("Next"), state.get("Default")} - {None}
        targets |= {c["Next"] for c in state.get("Catch", []) + state.get("Choices", [])}
    assert targets == set(STATES)


def test_the_carrier_waits_have_hard_timeouts_within_the_authorizations_life() -> None:
    for name in WAITS:
        wait = TASKS[name]
        assert wait["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
        assert wait["Parameters"]["Payload"]["taskToken.$"] == "$$.Task.Token"
    dispatch, delivery = TASKS["RequestShipment"], TASKS["CapturePayment"]
    assert dispatch["TimeoutSeconds"] == DISPATCH_WINDOW.total_seconds()
    assert dispatch["TimeoutSeconds"] > EVENTBRIDGE_RETRY_WINDOW
    retries = _worst_retry_seconds("RequestShipment") + _worst_retry_seconds("CapturePayment")
    assert dispatch["TimeoutSeconds"] + retries < AUTHORIZATION_LIFETIME.total_seconds()
    assert delivery["TimeoutSeconds"] > EVENTBRIDGE_RETRY_WINDOW
    caught = {e for catcher in dispatch["Catch"] for e in catcher["ErrorEquals"]}
    assert {"States.Timeout", "CancellationRequested", "ShipmentFailed"} <= caught


def test_the_execution_timeout_outlasts_every_path_but_a_forgotten_escalation() -> None:
    """ExecutionsTimedOut can fire (a top-level TimeoutSeconds), and only when an order that
    asked an operator stays unanswered: every other path is bounded well below it."""
    bounded = sum(
        TASKS[n].get("TimeoutSeconds", 0) + _worst_retry_seconds(n)
        for n in (*FORWARD, *COMPENSATIONS)
    )
    assert bounded < SAGA["TimeoutSeconds"] <= 365 * 24 * 3600  # Standard's 1-year cap


def _worst_retry_seconds(name: str) -> float:
    total = 0.0
    for retrier in TASKS[name]["Retry"]:
        interval = retrier["IntervalSeconds"]
        for attempt in range(retrier["MaxAttempts"]):
            total += min(interval * retrier["BackoffRate"] ** attempt, retrier["MaxDelaySeconds"])
    return total


def test_function_arns_come_from_definition_substitutions() -> None:
    expected = {task.substitution for task in saga_tasks()}
    for name, state in TASKS.items():
        function = state["Parameters"]["FunctionName"]
        assert function == f"${{{name}FunctionArn}}"
        assert function[2:-1] in expected
    assert len(TASKS) == len(expected)
