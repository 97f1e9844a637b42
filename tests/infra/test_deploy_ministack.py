"""The real SAM CLI deploys infra/template.yaml into a real CloudFormation engine: MiniStack.

MiniStack (PyPI ``ministack``, in ``.venv-ministack``: it pins its own botocore) is started on a
free loopback port and stopped afterwards. ``sam deploy`` uploads the artifact and the template
and CloudFormation creates the stack, SAM transform included; the test then reads what was
created and holds it against the template, deploys again (nothing to change) and tears the
stack down with the command docs/deploy.md gives. The artifact holds our code only (MiniStack
creates the functions; nothing invokes them here).

MiniStack cannot create everything AWS can. What it lacks is switched off through the
template's own parameters, never by editing the template (``UNSUPPORTED``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from infra_support import functions as template_functions
from infra_support import ref_id

from infra import package
from infra.sam_translate import TEMPLATE
from tests.e2e.targets import free_port

OFF_BY_DEFAULT = {"HasAlarmEmail", "HasStripeWebhook", "HasStripeEventSource"}
"""Conditions false with the parameters' defaults, which the deployment keeps for them."""

pytestmark = pytest.mark.enable_socket

REPO = Path(__file__).resolve().parents[2]
STAGE = "ms"
STACK = f"orderflow-{STAGE}"
REGION = "us-east-1"
UNSUPPORTED = {
    "EventArchive=disabled": (
        "OrderFlowBusArchive",
        "MiniStack's CloudFormation has no AWS::Events::Archive (the change set is refused: "
        "'Unrecognized resource types')",
    ),
    "ThrottlesAlarm=disabled": (
        "FunctionThrottlesAlarm",
        "MiniStack: 'AWS::CloudWatch::Alarm Properties.Metrics (metric math) is not supported; "
        "use MetricName and Namespace'",
    ),
}
"""Parameter override -> (the resource it leaves out, why MiniStack needs it)."""
CHOSEN = ("PaymentProvider=stripe",)
"""The widest stack: Stripe adds its secret and the paying functions' conditional grants."""


def _tool(variable: str, fallback: str) -> str | None:
    found = Path(os.environ.get(variable) or REPO / fallback).resolve()  # runs from elsewhere
    return str(found) if found.is_file() else None


SAM = _tool("SAM_CLI", ".venv-sam/bin/sam")
MINISTACK = _tool("MINISTACK", ".venv-ministack/bin/ministack")
needs_tools = pytest.mark.skipif(
    SAM is None or MINISTACK is None,
    reason="needs the SAM CLI and MiniStack: `make test` installs .venv-sam and "
    ".venv-ministack (or `make sam-venv ministack-venv`; SAM_CLI / MINISTACK point elsewhere)",
)


@dataclass
class Deployed:
    endpoint: str
    env: dict[str, str]
    workdir: Path
    outputs: list[str]

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 2}),
        )

    def sam(self, *argv: str, cwd: Path | None = None) -> str:
        done = subprocess.run(
            [str(SAM), *argv],
            cwd=cwd or self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        out = done.stdout + done.stderr
        assert done.returncode == 0, out[-4000:]
        return out


def _staging(workdir: Path) -> None:
    """The repository's layout, as far as the template refers to it: the template itself
    (byte for byte), the workflow definition, and an artifact at ../build/."""
    (workdir / "infra").mkdir()
    shutil.copyfile(TEMPLATE, workdir / "infra" / "template.yaml")
    shutil.copytree(REPO / "workflows", workdir / "workflows")
    code = workdir / "code"
    for name in package.FIRST_PARTY:
        package._copy_package(REPO / name, code / name)
    (workdir / "build").mkdir()
    package._zip(code, workdir / "build" / package.ZIP_NAME)


def _ministack(port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GATEWAY_PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "MINISTACK_REGION": REGION,
        "TMPDIR": str(log.parent),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(  # our pinned MiniStack
            [str(MINISTACK)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    probe = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-2000:]
        try:
            probe.list_buckets()
            return process
        except Exception:  # not listening yet
            time.sleep(0.3)
    process.kill()
    raise AssertionError("MiniStack did not start in 60 s:\n" + log.read_text()[-2000:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    workdir = tmp_path_factory.mktemp("ministack")
    _staging(workdir)
    port = free_port()
    process = _ministack(port, workdir / "ministack.log")
    endpoint = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
        "SAM_CLI_TELEMETRY": "0",
    }
    target = Deployed(endpoint, env, workdir, [])
    try:
        target.client("s3").create_bucket(Bucket="sam-artifacts")
        target.outputs.append(target.sam(*DEPLOY))
        yield target
    finally:
        _stop(process)


DEPLOY = (
    "deploy",
    "--template-file",
    "infra/template.yaml",
    "--stack-name",
    STACK,
    "--s3-bucket",
    "sam-artifacts",
    "--capabilities",
    "CAPABILITY_IAM",
    "--no-confirm-changeset",
    "--no-fail-on-empty-changeset",
    "--region",
    REGION,
    "--parameter-overrides",
    f"Stage={STAGE}",
    *UNSUPPORTED,
    *CHOSEN,
)


def _unhashed(logical_id: str) -> str:
    """SAM names a function version by a hash of its code's location: which differs here."""
    return re.sub(r"Version[0-9a-f]{10}$", "Version", logical_id)


def _physical(deployed: Deployed) -> dict[str, dict[str, str]]:
    """Logical id -> {type, id, status} of every resource CloudFormation created."""
    pages = deployed.client("cloudformation").get_paginator("list_stack_resources")
    return {
        r["LogicalResourceId"]: {
            "type": r["ResourceType"],
            "id": r.get("PhysicalResourceId", ""),
            "status": r["ResourceStatus"],
        }
        for page in pages.paginate(StackName=STACK)
        for r in page["StackResourceSummaries"]
    }


@needs_tools
def test_every_resource_of_the_template_is_created(deployed: Deployed, cfn: dict[str, Any]) -> None:
    created = {_unhashed(k): v for k, v in _physical(deployed).items()}
    left_out = {resource for resource, _ in UNSUPPORTED.values()}
    wanted = {_unhashed(k): v for k, v in cfn["Resources"].items()}
    expected = {
        name
        for name, r in wanted.items()
        if name not in left_out and r.get("Condition") not in OFF_BY_DEFAULT
    }
    assert set(created) == expected, set(created) ^ expected
    assert {r["status"] for r in created.values()} == {"CREATE_COMPLETE"}
    for name, r in created.items():
        assert r["type"] == wanted[name]["Type"], name
    assert "Successfully created/updated stack" in deployed.outputs[0]


@needs_tools
def test_functions_have_the_templates_settings(deployed: Deployed, cfn: dict[str, Any]) -> None:
    created = _physical(deployed)
    lam = deployed.client("lambda")
    for name, props in template_functions(cfn).items():
        if cfn["Resources"][name].get("Condition") in OFF_BY_DEFAULT:
            continue
        config = lam.get_function_configuration(FunctionName=created[name]["id"])
        assert config["Runtime"] == "python3.13", name
        assert config["Architectures"] == ["arm64"], name
        assert config["Handler"] == props["Handler"], name
        assert config["MemorySize"] == props.get("MemorySize", 128), name
        assert config["Timeout"] == props.get("Timeout", 3), name
        variables = config["Environment"]["Variables"]
        assert set(variables) == set(props["Environment"]["Variables"]), name
        assert variables["ORDERS_TABLE"] == f"{STACK}-orders", name
        assert config["TracingConfig"]["Mode"] == "Active", name
    api = lam.list_aliases(FunctionName=created["ApiFunction"]["id"])["Aliases"]
    assert [a["Name"] for a in api] == ["live"]


@needs_tools
def test_the_stripe_flavour_names_its_secret_and_holds_no_key(deployed: Deployed) -> None:
    created = _physical(deployed)
    secret_arn = created["StripeApiKeySecret"]["id"]
    secrets = deployed.client("secretsmanager")
    assert (
        secrets.describe_secret(SecretId=secret_arn)["Name"] == f"orderflow-{STAGE}/stripe-api-key"
    )
    assert secrets.get_secret_value(SecretId=secret_arn)["SecretString"] == "unset"
    config = deployed.client("lambda").get_function_configuration(
        FunctionName=created["CapturePaymentFunction"]["id"]
    )
    variables = config["Environment"]["Variables"]
    assert (variables["PAYMENT_PROVIDER"], variables["STRIPE_SECRET_ARN"]) == ("stripe", secret_arn)


@needs_tools
def test_event_source_mappings_have_their_settings(deployed: Deployed, cfn: dict[str, Any]) -> None:
    created = _physical(deployed)
    lam = deployed.client("lambda")
    mappings = {
        m["FunctionArn"].rsplit(":", 1)[-1]: m
        for m in lam.list_event_source_mappings()["EventSourceMappings"]
    }
    for name in ("WorkflowStartQueueMapping", "OutboxStreamMapping"):
        wanted = cfn["Resources"][name]["Properties"]
        mapping = mappings[created[ref_id(wanted["FunctionName"]) or ""]["id"]]
        assert mapping["BatchSize"] == wanted["BatchSize"], name
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
        if "ScalingConfig" in wanted:
            assert mapping["ScalingConfig"] == {"MaximumConcurrency": 5}, name
        if "FilterCriteria" in wanted:
            assert mapping["FilterCriteria"] == wanted["FilterCriteria"], name
            assert mapping["BisectBatchOnFunctionError"] is True
            assert mapping["MaximumRetryAttempts"] == wanted["MaximumRetryAttempts"]
            assert mapping["StartingPosition"] == "TRIM_HORIZON"
            destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]
            assert destination.endswith(f":{STACK}-outbox-relay-dlq")
    sources = sorted(m["EventSourceArn"].split(":", 5)[-1] for m in mappings.values())
    assert sources[0].startswith(f"{STACK}-workflow-start") or "orders/stream" in sources[0]


@needs_tools
def test_routes_are_behind_the_cognito_authorizer(deployed: Deployed) -> None:
    created = _physical(deployed)
    apigw = deployed.client("apigateway")
    api = created["OrdersApi"]["id"]
    (authorizer,) = apigw.get_authorizers(restApiId=api)["items"]
    assert (authorizer["name"], authorizer["type"]) == ("CognitoAuthorizer", "COGNITO_USER_POOLS")
    routes = {
        (method, r["path"]): r["id"]
        for r in apigw.get_resources(restApiId=api)["items"]
        for method in r.get("resourceMethods", {})
        if method != "OPTIONS"
    }
    assert set(routes) == {
        ("POST", "/orders"),
        ("GET", "/orders"),
        ("GET", "/orders/{orderId}"),
        ("POST", "/orders/{orderId}/cancel"),
        ("POST", "/orders/{orderId}/refunds"),
    }
    for (method, path), resource in routes.items():
        found = apigw.get_method(restApiId=api, resourceId=resource, httpMethod=method)
        assert found["authorizationType"] == "COGNITO_USER_POOLS", (method, path)
        assert found["authorizerId"] == authorizer["id"], (method, path)
        assert found["methodIntegration"]["type"] == "AWS_PROXY", (method, path)
        assert created["ApiFunction"]["id"] in found["methodIntegration"]["uri"], (method, path)


@needs_tools
def test_the_state_machine_calls_the_deployed_task_functions(deployed: Deployed) -> None:
    created = _physical(deployed)
    machine = deployed.client("stepfunctions").describe_state_machine(
        stateMachineArn=created["OrderSagaStateMachine"]["id"]
    )
    assert machine["type"] == "STANDARD"
    definition = machine["definition"]
    assert "${" not in definition  # every DefinitionSubstitution was made
    called = set(json.dumps(json.loads(definition)).split('"FunctionName": "')[1:])
    functions = {c.split('"', 1)[0].rsplit(":", 1)[-1] for c in called}
    tasks = ("AuthorizePayment", "RequestShipment", "CompleteOrder")
    tasks += ("CancelShipment", "VoidPayment", "FailOrder")
    assert {created[f"{t}Function"]["id"] for t in tasks} <= functions


@needs_tools
def test_deploying_again_changes_nothing(deployed: Deployed) -> None:
    out = deployed.sam(*DEPLOY)
    assert "No changes to deploy" in out


@needs_tools
def test_the_documented_teardown_deletes_the_stack(deployed: Deployed) -> None:
    """docs/deploy.md's `sam delete`, from the repository root (no samconfig needed)."""
    deployed.sam("delete", "--stack-name", STACK, "--region", REGION, "--no-prompts", cwd=REPO)
    cloudformation = deployed.client("cloudformation")
    try:
        stacks = cloudformation.describe_stacks(StackName=STACK)["Stacks"]
    except cloudformation.exceptions.ClientError:
        stacks = []
    assert all(s["StackStatus"] == "DELETE_COMPLETE" for s in stacks)
