"""Where the end-to-end scenarios run: the local stack (a subprocess) or a deployed stack.

Both give the same ``Target``: the API's base URL, boto3 clients, the resource names and a way
to get a customer's bearer token. Only the local stack has the simulated carrier.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

REPO = Path(__file__).resolve().parents[2]
AWS_STACK_ENV = "ORDERFLOW_AWS_STACK"
START_TIMEOUT = 120.0
STOP_TIMEOUT = 10.0


@dataclass
class Target:
    kind: str
    api: str
    names: dict[str, str]
    token: Callable[[str], str]
    carrier_sim: bool
    endpoint: str | None = None
    session: boto3.Session = field(default_factory=boto3.Session)
    state_file: Path | None = None
    """The local stack's description (build/local-stack.json's shape)."""

    def client(self, service: str) -> Any:
        config = Config(account_id_endpoint_mode="disabled") if self.endpoint else None
        return self.session.client(service, endpoint_url=self.endpoint, config=config)

    def http(self, customer: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(customer)}"} if customer else {}
        return httpx.Client(base_url=self.api, headers=headers, timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def local_stack(workdir: Path, *extra: str) -> Iterator[tuple[Target, subprocess.Popen[bytes]]]:
    """``python -m infra.local`` on free ports; stopped with SIGTERM, which must be prompt."""
    from infra.local import tokens

    secret = secrets.token_hex(16)
    api_port, aws_port = free_port(), free_port()
    state_file, log_file = workdir / "local-stack.json", workdir / "local-stack.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", tokens.SECRET_ENV: secret}
    command = [
        sys.executable,
        "-m",
        "infra.local",
        "--api-port",
        str(api_port),
        "--aws-port",
        str(aws_port),
        "--state-file",
        str(state_file),
        "--state-dir",  # a stack of its own: never the checkout's build/local-state
        str(workdir / "state"),
        "--log-dir",
        str(workdir / "logs"),
        "--dispatch-after",
        "0.2",
        "--deliver-after",
        "0.4",
        *extra,
    ]
    with log_file.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(process, f"http://127.0.0.1:{api_port}", state_file, log_file)
        state = json.loads(state_file.read_text())
        resources = state["resources"]
        target = Target(
            kind="local",
            api=state["apiUrl"].rstrip("/"),
            carrier_sim=True,
            state_file=state_file,
            endpoint=state["awsEndpoint"],
            session=boto3.Session(
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                region_name=state["region"],
            ),
            token=lambda customer: tokens.mint(customer, secret=secret.encode()),
            names={
                "bus": state["busName"],
                "table": state["tableName"],
                "state_machine": state["stateMachineArn"],
                "workflow_queue": resources["queues"]["WorkflowStartQueue"],
                "workflow_dlq": resources["deadLetterQueues"]["WorkflowStartDLQ"],
            },
        )
        yield target, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise AssertionError(
                    f"the local stack ignored SIGTERM for {STOP_TIMEOUT} s"
                ) from None


def _wait_ready(
    process: subprocess.Popen[bytes], api: str, state_file: Path, log_file: Path
) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"the local stack exited with {process.returncode}:\n"
                + log_file.read_text(errors="replace")[-3000:]
            )
        if state_file.exists():
            try:
                httpx.get(api, timeout=2)
                return
            except httpx.TransportError:
                pass
        time.sleep(0.2)
    raise AssertionError(
        f"the local stack was not ready in {START_TIMEOUT} s:\n"
        + log_file.read_text(errors="replace")[-3000:]
    )


def aws_stack() -> Target:
    """The deployed stack named by ORDERFLOW_AWS_STACK (sam deploy), with Cognito test users."""
    name = os.environ[AWS_STACK_ENV]
    session = boto3.Session()
    stack = session.client("cloudformation").describe_stacks(StackName=name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    cognito = session.client("cognito-idp")
    password = "E2e-" + secrets.token_urlsafe(18)
    cache: dict[str, str] = {}

    def token(customer: str) -> str:
        if customer not in cache:
            cache[customer] = _cognito_id_token(
                cognito, outputs, f"{customer}@e2e.invalid", password
            )
        return cache[customer]

    return Target(
        kind="aws",
        api=outputs["ApiUrl"].rstrip("/"),
        carrier_sim=False,
        session=session,
        token=token,
        names={
            "bus": outputs["BusName"],
            "table": outputs["TableName"],
            "state_machine": outputs["StateMachineArn"],
            "workflow_queue": outputs["WorkflowStartQueueUrl"],
            "workflow_dlq": outputs["WorkflowStartDLQUrl"],
        },
    )


def _cognito_id_token(cognito: Any, outputs: dict[str, str], user: str, password: str) -> str:
    pool, client = outputs["UserPoolId"], outputs["UserPoolClientId"]
    with suppress(cognito.exceptions.UsernameExistsException):
        cognito.admin_create_user(UserPoolId=pool, Username=user, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=pool, Username=user, Password=password, Permanent=True
    )
    auth = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user, "PASSWORD": password},
    )
    return str(auth["AuthenticationResult"]["IdToken"])
