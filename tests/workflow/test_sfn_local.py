"""Opt-in: the saga on AWS Step Functions Local (Docker) with mocked Tasks, the same paths as
test_order_saga.py where a mock can express them. AWS's own interpreter, not moto's: it checks
our Retry/Catch/Choice wiring against the reference implementation.

    docker compose -f infra/stepfunctions-local/compose.yaml up -d
    SFN_LOCAL_ENDPOINT=http://127.0.0.1:8083 .venv/bin/python -m pytest tests/workflow -m sfn_local

Not here (they need our handlers or real time): a duplicate start, a late callback, a refused
cancel (domain behaviour, covered on moto), a provider outage outlasting the retries and an
exhausted compensation (minutes to an hour of real backoff).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import boto3
import pytest

from tests.support.sfn_runner import ORDER_SAGA_ASL, REPO_ROOT, render_definition
from tests.workflow.support import saga_tasks

MOCK_CONFIG = REPO_ROOT / "infra" / "stepfunctions-local" / "MockConfigFile.json"
ENDPOINT = os.environ.get("SFN_LOCAL_ENDPOINT", "")
ACCOUNT, REGION = "123456789012", "us-east-1"

HAPPY = ["AuthorizePayment", "RequestShipment", "CapturePayment", "CompleteOrder"]
COMPENSATED = ["CancelShipment", "VoidPayment", "RefundPayment", "FailOrder"]
EXPECTED: dict[str, tuple[str, list[str]]] = {
    "HappyPath": ("SUCCEEDED", HAPPY),
    "PaymentDeclined": ("SUCCEEDED", ["AuthorizePayment", "PaymentWasDeclined"]),
    "PaymentFlaky": ("SUCCEEDED", HAPPY),
    "AddressNotServiceable": ("SUCCEEDED", [*HAPPY[:2], *COMPENSATED[1:]]),
    "CarrierNeverComes": ("SUCCEEDED", [*HAPPY[:2], *COMPENSATED]),
    "CaptureRefused": ("SUCCEEDED", [*HAPPY[:3], *COMPENSATED]),
    "LostInTransit": ("SUCCEEDED", [*HAPPY[:3], *COMPENSATED]),
    "CarrierSilentAfterDispatch": ("SUCCEEDED", [*HAPPY[:3], "AskOperator", "CompleteOrder"]),
    "CustomerCancels": ("SUCCEEDED", [*HAPPY[:2], *COMPENSATED]),
    "CancelBeforeAuthorize": ("SUCCEEDED", ["AuthorizePayment", *COMPENSATED[1:]]),
    "CompensationRetried": ("SUCCEEDED", [*HAPPY[:2], *COMPENSATED]),
    "BugNotCaught": ("FAILED", ["AuthorizePayment"]),
}


def _mock_config() -> dict[str, Any]:
    config: dict[str, Any] = json.loads(MOCK_CONFIG.read_text(encoding="utf-8"))
    return config


def test_the_mock_config_covers_the_expected_paths() -> None:
    """Always runs: the Docker tests' inputs stay consistent with the ASL and this table."""
    config = _mock_config()
    cases = config["StateMachines"]["OrderSaga"]["TestCases"]
    assert set(cases) == set(EXPECTED)
    states = json.loads(ORDER_SAGA_ASL.read_text(encoding="utf-8"))["States"]
    for case, mocks in cases.items():
        assert set(mocks.values()) <= set(config["MockedResponses"]), case
        tasks_run = {s for s in EXPECTED[case][1] if states[s]["Type"] == "Task"}
        assert set(mocks) == tasks_run, f"{case}: mock exactly the Tasks the path runs"


@pytest.fixture(scope="module")
def sfn_local() -> Any:
    if not ENDPOINT:
        pytest.skip(
            "set SFN_LOCAL_ENDPOINT (e.g. http://127.0.0.1:8083) after "
            "`docker compose -f infra/stepfunctions-local/compose.yaml up -d`"
        )
    client = boto3.client(
        "stepfunctions",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    arns = {
        task.substitution: f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{task.function_name}"
        for task in saga_tasks()
    }
    name = "OrderSaga"  # the name MockConfigFile.json's test cases belong to
    for machine in client.list_state_machines()["stateMachines"]:
        if machine["name"] == name:
            client.delete_state_machine(stateMachineArn=machine["stateMachineArn"])
    created = client.create_state_machine(
        name=name,
        definition=render_definition(ORDER_SAGA_ASL, arns),
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/DummyRole",
    )
    return client, created["stateMachineArn"]


@pytest.mark.sfn_local
@pytest.mark.enable_socket
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_path_on_step_functions_local(sfn_local: Any, case: str) -> None:
    client, machine_arn = sfn_local
    started = client.start_execution(
        stateMachineArn=f"{machine_arn}#{case}",
        name=f"{case}-{time.time_ns()}",
        input=json.dumps({"orderId": "mock-order"}),
    )
    deadline = time.monotonic() + 120  # mocked retries still back off in real time
    while (described := client.describe_execution(executionArn=started["executionArn"]))[
        "status"
    ] == "RUNNING":
        assert time.monotonic() < deadline, f"{case} still running"
        time.sleep(0.2)
    events = client.get_execution_history(executionArn=started["executionArn"], maxResults=1000)[
        "events"
    ]
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")
    ]
    assert (described["status"], entered) == EXPECTED[case]
