"""One client per service per process, with timeouts, standard retries, AWS_ENDPOINT_URL
honoured, and DynamoDB on the regional endpoint (which both AWS and moto serve)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from adapters.aws import clients

ROOT = Path(__file__).resolve().parents[2]


def test_one_client_per_service_made_on_first_use(aws_env: None) -> None:
    assert clients._clients == {}
    dynamodb = clients.client("dynamodb")
    assert clients.client("dynamodb") is dynamodb
    assert clients.client("events") is not dynamodb
    config = dynamodb.meta.config
    assert config.retries["mode"] == "standard"
    assert config.connect_timeout == 2 and config.read_timeout == 5
    assert dynamodb.meta.region_name == "us-east-1"


def test_account_endpoints_are_off_only_for_dynamodb_and_its_streams(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert clients.config_for("dynamodb").account_id_endpoint_mode == "disabled"
    assert clients.config_for("dynamodbstreams").account_id_endpoint_mode == "disabled"
    assert clients.config_for("events").account_id_endpoint_mode is None
    monkeypatch.setenv("AWS_ACCOUNT_ID_ENDPOINT_MODE", "preferred")  # an operator's choice wins
    assert clients.config_for("dynamodb").account_id_endpoint_mode is None


def test_aws_endpoint_url_sends_every_client_to_the_local_stack(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    for service in ("dynamodb", "dynamodbstreams", "events", "stepfunctions"):
        assert clients.client(service).meta.endpoint_url == "http://127.0.0.1:5000"


def _url_of(client: Any, operation: str, **params: Any) -> str:
    """The URL botocore resolved for one call; the call itself never leaves the process."""
    seen: list[str] = []

    def stop(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        seen.append(params["url"])
        return AWSResponse(params["url"], 200, {}, None), {}

    client.meta.events.register_first("before-call", stop)
    getattr(client, operation)(**params)
    return seen[0]


STREAM_ARN = "arn:aws:dynamodb:us-east-1:111122223333:table/orders/stream/2026-01-01T00:00:00.000"


def test_on_real_aws_dynamodb_calls_go_to_the_regional_endpoints(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With an account id in the credentials (as some AWS setups provide), botocore would pick
    account endpoints; ours stay on the regional ones, which AWS serves in every region."""
    monkeypatch.setenv("AWS_ACCOUNT_ID", "111122223333")
    key = {"PK": {"S": "x"}, "SK": {"S": "y"}}
    assert _url_of(clients.client("dynamodb"), "get_item", TableName="orders", Key=key) == (
        "https://dynamodb.us-east-1.amazonaws.com/"
    )
    assert _url_of(clients.client("dynamodbstreams"), "describe_stream", StreamArn=STREAM_ARN) == (
        "https://streams.dynamodb.us-east-1.amazonaws.com/"
    )


def test_without_the_setting_botocore_would_use_an_account_endpoint_moto_does_not_serve(
    aws_env: None,
) -> None:
    """The control for the test above (botocore 1.44 routes every stream ARN this way)."""
    import boto3

    default = boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="preferred"))
    url = _url_of(default, "describe_stream", StreamArn=STREAM_ARN)
    if url == "https://streams.dynamodb.us-east-1.amazonaws.com/":
        pytest.skip("this botocore has no account endpoints for DynamoDB Streams")
    assert url == "https://111122223333.streams-ddb.us-east-1.amazonaws.com/"


def test_streams_work_on_moto_through_the_shared_client(table: str) -> None:
    arn = clients.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    described = clients.client("dynamodbstreams").describe_stream(StreamArn=arn)
    assert described["StreamDescription"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"


def test_xray_is_neither_imported_outside_lambda_nor_skipped_inside() -> None:
    pytest.importorskip("aws_lambda_powertools")
    script = textwrap.dedent(
        """
        import os, sys
        os.environ.update(AWS_ACCESS_KEY_ID="t", AWS_SECRET_ACCESS_KEY="t",
                          AWS_DEFAULT_REGION="us-east-1")
        from adapters.aws import clients
        clients.client("dynamodb")
        assert "aws_xray_sdk" not in sys.modules, "X-Ray imported outside Lambda"
        clients.clear_cache()
        os.environ["LAMBDA_TASK_ROOT"] = "/var/task"
        clients.client("dynamodb")
        from aws_xray_sdk.core import patcher
        assert "botocore" in patcher._PATCHED_MODULES, "botocore not traced in Lambda"
        """
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": "/nonexistent"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
