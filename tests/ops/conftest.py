"""Fixtures for the operator CLI tests: moto with executions really run, and a small stack."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from ops_stack import REGION, Stack, build


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield


@pytest.fixture(scope="session")
def session() -> boto3.Session:
    """One botocore session for all tests: a new one re-reads botocore's data (~1.5 s)."""
    return boto3.Session(
        region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


@pytest.fixture
def stack(aws: None, session: boto3.Session) -> Iterator[Stack]:
    built = build(session)
    yield built
    built.release_waiting()
