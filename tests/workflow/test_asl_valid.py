"""workflows/*.asl.json: valid ASL (asl-validator), and the error-handling rules of the saga.

asl-validator comes from node_modules (``make node``). Locally a missing install skips its
tests; on CI (``CI`` set) it fails them, so the check can never silently drop out of the build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from domain import errors
from infra.local.sfn_runner import ORDER_SAGA_ASL, ORDER_SAGA_TASKS, REPO_ROOT

WORKFLOWS = sorted((REPO_ROOT / "workflows").glob("*.asl.json"))
VALIDATOR = REPO_ROOT / "node_modules" / ".bin" / "asl-validator"
SAGA: dict[str, Any] = json.loads(ORDER_SAGA_ASL.read_text(encoding="utf-8"))
STATES: dict[str, dict[str, Any]] = SAGA["States"]
TASKS = {name: state for name, state in STATES.items() if state["Type"] == "Task"}

FORWARD = ("AuthorizePayment", "RequestShipment", "CompleteOrder")
COMPENSATIONS = ("CancelShipment", "VoidPayment", "FailOrder")
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
def test_the_happy_path_is_three_task_transitions() -> None:
    path, name = [], SAGA["StartAt"]
    while True:
        path.append(name)
        state = STATES[name]
        if state.get("End"):
            break
        name = state["Next"]
    assert path == list(FORWARD)
    assert len(path) == 3  # $0.075 per 1,000 orders at $0.025 per 1,000 transitions
    assert {STATES[n]["Type"] for n in path} == {"Task"}


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
    for name in FORWARD:
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


def test_every_state_is_reachable() -> None:
    targets = {SAGA["StartAt"]}
    for state in STATES.values():
        targets |= {state.get("Next"), state.get("Default")} - {None}
        targets |= {c["Next"] for c in state.get("Catch", []) + state.get("Choices", [])}
    assert targets == set(STATES)


def test_the_carrier_wait_has_a_heartbeat_and_a_hard_timeout() -> None:
    wait = TASKS["RequestShipment"]
    assert wait["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert wait["Parameters"]["Payload"]["taskToken.$"] == "$$.Task.Token"
    assert EVENTBRIDGE_RETRY_WINDOW < wait["HeartbeatSeconds"] < wait["TimeoutSeconds"]
    caught = {e for catcher in wait["Catch"] for e in catcher["ErrorEquals"]}
    assert WAIT_TIMEOUTS | {"CancellationRequested", "ShipmentFailed"} <= caught


def test_function_arns_come_from_definition_substitutions() -> None:
    expected = {task.substitution for task in ORDER_SAGA_TASKS}
    for name, state in TASKS.items():
        function = state["Parameters"]["FunctionName"]
        assert function == f"${{{name}FunctionArn}}"
        assert function[2:-1] in expected
    assert len(TASKS) == len(expected)
