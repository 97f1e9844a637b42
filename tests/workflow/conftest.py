"""Fixtures for the workflow tests: moto with OrderFlow's patches, the saga deployed into it
(time scales in support.py)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from moto.core.config import DefaultConfig, default_user_config

from adapters.aws.stepfunctions import StepFunctionsWorkflow
from adapters.clock import ManualClock
from adapters.memory.repository import InMemoryOrderRepository
from infra.local import moto_patches
from tests.support.sfn_runner import DEFAULT_ENVIRONMENT
from tests.support.wiring import use_app
from tests.workflow.support import (
    TEST_TIME_SCALE,
    FlakyCancelCarrier,
    HookedPaymentProvider,
    Saga,
    deploy_saga,
)

# Read when handlers.common.observability is first imported: set before any handler is.
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "orderflow")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "OrderFlow")

REGION = "us-east-1"
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sfn_local: runs against AWS Step Functions Local (SFN_LOCAL_ENDPOINT)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            # Powertools warns when a step ends in an error before recording a metric.
            item.add_marker(pytest.mark.filterwarnings("ignore:No application metrics to publish"))


@pytest.fixture(autouse=True)
def _aws_environment(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and no endpoint overrides, except for tests that talk to a real AWS."""
    if request.node.get_closest_marker("aws"):
        return
    for name, value in FAKE_AWS.items():
        monkeypatch.setenv(name, value)
    for name in (
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_STEPFUNCTIONS",
        "AWS_ENDPOINT_URL_LAMBDA",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _no_function_variables_left(_aws_environment: None) -> Iterator[None]:
    """The in-process Lambda runtime never deletes a variable a function defined, since other
    threads may be reading the environment. Between tests no function runs: they go here, so
    no test sees another's functions' variables."""
    before = set(os.environ)
    yield
    for name in set(os.environ) - before:
        os.environ.pop(name, None)


@pytest.fixture
def moto() -> Iterator[None]:
    moto_patches.apply()
    # Keep boto3's default session between tests: the interpreter makes its Lambda client from
    # it, and a fresh one re-reads every service model (~0.3 s of CPU per test).
    config: DefaultConfig = {
        **moto_patches.MOTO_CONFIG,
        "core": {**default_user_config["core"], "reset_boto3_session": False},
    }
    with mock_aws(config=config), moto_patches.scaled_time(TEST_TIME_SCALE):
        yield


@pytest.fixture(scope="session")
def boto_session() -> boto3.session.Session:
    """One session for the run: a new one re-reads every service model (~0.3 s a client)."""
    return boto3.session.Session(
        region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


@pytest.fixture
def saga(
    moto: None, boto_session: boto3.session.Session, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Saga]:
    # One process hosts every function here: Metrics may have been built (at the handlers'
    # first import, by another test) before any function's environment was set.
    from handlers.common.observability import metrics

    monkeypatch.setattr(metrics, "namespace", "OrderFlow")
    session = boto_session
    deployed = deploy_saga(session, dict(DEFAULT_ENVIRONMENT))
    sfn = session.client("stepfunctions")
    clock = ManualClock()
    harness = Saga(
        sfn=sfn,
        deployed=deployed,
        orders=InMemoryOrderRepository(),
        payments=HookedPaymentProvider(clock=clock),
        carrier=FlakyCancelCarrier(),
        workflow=StepFunctionsWorkflow(deployed.state_machine_arn, client=sfn),
        clock=clock,
    )
    use_app(harness.app)
    try:
        yield harness
    finally:
        use_app(None)


class _ScaledJoinThread(threading.Thread):
    def join(self, timeout: float | None = None) -> None:
        super().join(None if timeout is None else moto_patches.scaled(timeout))


class _ScaledExecutionThreading:
    """``threading`` as the interpreter's ``Program.eval`` sees it: the thread it joins for the
    execution's top-level TimeoutSeconds waits in workflow seconds."""

    Thread = _ScaledJoinThread

    def __getattr__(self, name: str) -> object:
        return getattr(threading, name)


@pytest.fixture
def scaled_execution_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto waits for an execution's own TimeoutSeconds in real seconds (``Program.eval`` joins
    its worker thread with it); moto_patches scales every other wait but not that one yet.
    For the one test that lets an execution time out."""
    from moto.stepfunctions.parser.asl.component.program import program

    assert program.threading is threading, "moto's Program.eval no longer uses threading"
    monkeypatch.setattr(program, "threading", _ScaledExecutionThreading())
