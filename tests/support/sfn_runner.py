"""For the workflow tests: create Lambda functions and render the saga's ASL in moto (or any
endpoint boto3 reaches), and watch executions. ``tests/workflow/support.py`` deploys one
function per ``DefinitionSubstitutions`` entry of the template with these."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
ORDER_SAGA_ASL = REPO_ROOT / "workflows" / "order_saga.asl.json"
ROLE_NAME = "orderflow-local"
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class TaskFunction:
    substitution: str
    handler: str
    timeout_seconds: int = 20  # as infra/template.yaml sizes the saga tasks
    memory_mb: int = 256

    @property
    def function_name(self) -> str:
        return self.substitution.removesuffix("Arn")


DEFAULT_ENVIRONMENT: Mapping[str, str] = {
    "POWERTOOLS_SERVICE_NAME": "orderflow",
    "POWERTOOLS_METRICS_NAMESPACE": "OrderFlow",
}


@dataclass(frozen=True, slots=True)
class DeployedSaga:
    state_machine_arn: str
    function_arns: Mapping[str, str]
    """DefinitionSubstitutions key -> function ARN."""


def render_definition(asl_path: Path, substitutions: Mapping[str, str]) -> str:
    """Apply ``DefinitionSubstitutions`` as CloudFormation does; a missing one is an error here."""
    text = asl_path.read_text(encoding="utf-8")
    missing = sorted(set(_PLACEHOLDER.findall(text)) - set(substitutions))
    if missing:
        raise KeyError(f"{asl_path.name}: no substitution for {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: substitutions[m.group(1)], text)


def ensure_role(iam: Any, name: str = ROLE_NAME) -> str:
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
                }
            ],
        }
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
        return str(role["Role"]["Arn"])


def create_function(
    lambda_client: Any, role_arn: str, task: TaskFunction, environment: Mapping[str, str]
) -> str:
    created = lambda_client.create_function(
        FunctionName=task.function_name,
        Runtime="python3.13",
        Architectures=["arm64"],
        Role=role_arn,
        Handler=task.handler,
        Code={"ZipFile": _placeholder_zip()},
        Timeout=task.timeout_seconds,
        MemorySize=task.memory_mb,
        Environment={"Variables": dict(environment)},
    )
    return str(created["FunctionArn"])


def wait_for_execution(
    sfn: Any, execution_arn: str, timeout: float = 10.0, poll: float = 0.05
) -> dict[str, Any]:
    """Poll until the execution has ended; raise ``TimeoutError`` if it has not in ``timeout``.

    The delay grows from 5 ms to ``poll``: in-process, each DescribeExecution competes for the
    GIL with the execution it waits for."""
    deadline, delay = time.monotonic() + timeout, 0.005
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        if time.monotonic() > deadline:
            raise TimeoutError(f"{execution_arn} still RUNNING after {timeout} s")
        time.sleep(delay)
        delay = min(poll, delay * 1.5)


def history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
        events.extend(page["events"])
    return events


def states_entered(sfn: Any, execution_arn: str) -> list[str]:
    """Names of the states the execution entered, in order (Task, Choice, Succeed, Fail...)."""
    return [
        event["stateEnteredEventDetails"]["name"]
        for event in history(sfn, execution_arn)
        if event["type"].endswith("StateEntered")
    ]


def _placeholder_zip() -> bytes:
    """Code for the function record; the local runtime imports the Handler from this repo."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "OrderFlow runs this function's Handler in-process.\n")
    return buffer.getvalue()
