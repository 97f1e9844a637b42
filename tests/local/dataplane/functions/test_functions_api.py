"""Lambda's API on the data plane, through boto3: functions, invokes, settings, mappings."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.local.dataplane.functions.conftest import Lambda


def test_a_created_function_is_described_as_lambda_describes_it(lambda_api: Lambda) -> None:
    created = lambda_api.create(
        "orders-api",
        "handlers.api.handler",
        Runtime="python3.13",
        Timeout=10,
        MemorySize=512,
        Environment={"Variables": {"TABLE": "orders"}},
        Architectures=["arm64"],
    )
    assert created["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:orders-api"
    got = lambda_api.client.get_function(FunctionName=created["FunctionArn"])["Configuration"]
    assert (got["Handler"], got["Timeout"], got["MemorySize"]) == ("handlers.api.handler", 10, 512)
    assert got["Environment"] == {"Variables": {"TABLE": "orders"}}
    assert got["Architectures"] == ["arm64"] and got["State"] == "Active"
    names = [f["FunctionName"] for f in lambda_api.client.list_functions()["Functions"]]
    assert names == ["orders-api"]


def test_a_second_create_of_the_same_name_conflicts(lambda_api: Lambda) -> None:
    lambda_api.create("f", "m.h")
    with pytest.raises(lambda_api.client.exceptions.ResourceConflictException):
        lambda_api.create("f", "m.h")


def test_reserved_variables_are_refused(lambda_api: Lambda) -> None:
    with pytest.raises(ClientError, match="reserved keys"):
        lambda_api.create("f", "m.h", Environment={"Variables": {"AWS_REGION": "eu-west-1"}})


def test_an_update_changes_the_configuration(lambda_api: Lambda) -> None:
    lambda_api.create("f", "m.h", Timeout=3)
    lambda_api.client.update_function_configuration(FunctionName="f", Timeout=30)
    assert lambda_api.client.get_function_configuration(FunctionName="f")["Timeout"] == 30


def test_invoke_answers_the_payload_or_the_error_with_its_header(lambda_api: Lambda) -> None:
    lambda_api.runner.code["m.echo"] = lambda event: {"got": event}
    lambda_api.runner.code["m.fail"] = lambda event: 1 / 0
    lambda_api.create("echo", "m.echo")
    lambda_api.create("fail", "m.fail")
    ok = lambda_api.client.invoke(FunctionName="echo", Payload=b'{"a": 1}')
    assert json.loads(ok["Payload"].read()) == {"got": {"a": 1}}
    assert "FunctionError" not in ok and ok["ExecutedVersion"] == "$LATEST"
    failed = lambda_api.client.invoke(FunctionName="fail", Payload=b"{}")
    assert failed["FunctionError"] == "Unhandled"
    assert json.loads(failed["Payload"].read())["errorType"] == "ZeroDivisionError"


def test_invoke_of_an_unknown_function_is_not_found(lambda_api: Lambda) -> None:
    with pytest.raises(lambda_api.client.exceptions.ResourceNotFoundException):
        lambda_api.client.invoke(FunctionName="nobody", Payload=b"{}")


def test_a_dry_run_checks_the_function_only(lambda_api: Lambda) -> None:
    lambda_api.create("f", "m.h")
    answer = lambda_api.client.invoke(FunctionName="f", InvocationType="DryRun")
    assert answer["StatusCode"] == 204 and lambda_api.runner.calls == []


def test_a_payload_over_six_megabytes_is_refused(lambda_api: Lambda) -> None:
    lambda_api.create("f", "m.h")
    huge = json.dumps({"x": "a" * (6 * 1024 * 1024)}).encode()
    with pytest.raises(lambda_api.client.exceptions.RequestTooLargeException):
        lambda_api.client.invoke(FunctionName="f", Payload=huge)


def test_event_invoke_config_and_concurrency_are_kept(lambda_api: Lambda) -> None:
    lambda_api.create("f", "m.h")
    lambda_api.client.put_function_event_invoke_config(
        FunctionName="f", MaximumRetryAttempts=1, MaximumEventAgeInSeconds=600
    )
    config = lambda_api.client.get_function_event_invoke_config(FunctionName="f")
    assert (config["MaximumRetryAttempts"], config["MaximumEventAgeInSeconds"]) == (1, 600)
    with pytest.raises(ClientError, match="MaximumRetryAttempts"):
        lambda_api.client.put_function_event_invoke_config(FunctionName="f", MaximumRetryAttempts=5)
    lambda_api.client.put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=3)
    got = lambda_api.client.get_function_concurrency(FunctionName="f")
    assert got["ReservedConcurrentExecutions"] == 3
    lambda_api.client.delete_function_concurrency(FunctionName="f")
    assert "ReservedConcurrentExecutions" not in lambda_api.client.get_function_concurrency(
        FunctionName="f"
    )


def test_event_source_mappings_are_kept_as_created_and_updated(lambda_api: Lambda) -> None:
    lambda_api.create("starter", "m.h")
    queue = "arn:aws:sqs:us-east-1:123456789012:work"
    made = lambda_api.client.create_event_source_mapping(
        FunctionName="starter",
        EventSourceArn=queue,
        BatchSize=5,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        ScalingConfig={"MaximumConcurrency": 2},
    )
    found = lambda_api.client.list_event_source_mappings(FunctionName="starter")
    assert [m["UUID"] for m in found["EventSourceMappings"]] == [made["UUID"]]
    assert made["BatchSize"] == 5 and made["ScalingConfig"] == {"MaximumConcurrency": 2}
    lambda_api.client.update_event_source_mapping(UUID=made["UUID"], BatchSize=7, Enabled=False)
    got = lambda_api.client.get_event_source_mapping(UUID=made["UUID"])
    assert (got["BatchSize"], got["State"]) == (7, "Disabled")
    lambda_api.client.delete_event_source_mapping(UUID=made["UUID"])
    assert lambda_api.client.list_event_source_mappings()["EventSourceMappings"] == []


def test_a_stream_mapping_needs_a_starting_position(lambda_api: Lambda) -> None:
    lambda_api.create("relay", "m.h")
    stream = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026"
    with pytest.raises(ClientError, match="StartingPosition"):
        lambda_api.client.create_event_source_mapping(FunctionName="relay", EventSourceArn=stream)
