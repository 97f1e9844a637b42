"""The SAM template translates offline (no AWS, no credentials) into what we expect."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest
from infra_support import functions

from adapters.aws import keys
from infra.sam_translate import TranslationError, load_template, translate

EXPECTED_OUTPUTS = {
    "ApiUrl",
    "BusName",
    "StateMachineArn",
    "TableName",
    "IdempotencyTableName",
    "UserPoolId",
    "UserPoolClientId",
    "WorkflowStartQueueUrl",
    "WorkflowStartQueueName",
    "WorkflowStartDLQUrl",
    "WorkflowStartDLQName",
    "OutboxRelayDLQUrl",
    "OutboxRelayDLQName",
    "UpstreamEventsDLQUrl",
    "UpstreamEventsDLQName",
}


def test_translates_without_network(monkeypatch: pytest.MonkeyPatch, template_path: Path) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the translation tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    cfn = translate(template_path, allow_missing_definitions=True)
    assert "Transform" not in cfn
    assert not any(r["Type"].startswith("AWS::Serverless::") for r in cfn["Resources"].values())


def test_expected_resources_exist(cfn: dict[str, Any]) -> None:
    types = {k: v["Type"] for k, v in cfn["Resources"].items()}
    assert types["OrdersTable"] == "AWS::DynamoDB::Table"
    assert types["IdempotencyTable"] == "AWS::DynamoDB::Table"
    assert types["OrderFlowBus"] == "AWS::Events::EventBus"
    assert types["OrderFlowBusArchive"] == "AWS::Events::Archive"
    assert types["OrderSagaStateMachine"] == "AWS::StepFunctions::StateMachine"
    assert types["OrdersApi"] == "AWS::ApiGateway::RestApi"
    assert types["UserPool"] == "AWS::Cognito::UserPool"
    assert types["UserPoolClient"] == "AWS::Cognito::UserPoolClient"
    assert types["Dashboard"] == "AWS::CloudWatch::Dashboard"
    assert len(functions(cfn)) == 16
    assert types["StripeWebhookSecret"] == "AWS::SecretsManager::Secret"
    assert cfn["Resources"]["StripeWebhookSecret"]["Condition"] == "HasStripeWebhook"
    assert "SecretString" not in cfn["Resources"]["StripeWebhookSecret"]["Properties"]


def test_outputs(sam: dict[str, Any]) -> None:
    assert set(sam["Outputs"]) >= EXPECTED_OUTPUTS


def test_table_layout(cfn: dict[str, Any]) -> None:
    table = cfn["Resources"]["OrdersTable"]["Properties"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["PK", "SK"]
    gsi, open_orders = table["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == keys.GSI1
    assert [k["AttributeName"] for k in gsi["KeySchema"]] == ["GSI1PK", "GSI1SK"]
    assert gsi["Projection"] == {"ProjectionType": "ALL"}
    # The reconciler's sparse index: what DynamoOpenOrders reads, and nothing more.
    assert open_orders["IndexName"] == keys.GSI2
    assert [k["AttributeName"] for k in open_orders["KeySchema"]] == ["GSI2PK", "GSI2SK"]
    assert open_orders["Projection"] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["orderId", "status", "updatedAt"],
    }
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}


def test_idempotency_table_layout(sam: dict[str, Any], cfn: dict[str, Any]) -> None:
    """Partition key only (Powertools' default ``id``): one partition per request, never one
    per function as a sort key (and its static partition key) would make it."""
    resource = cfn["Resources"]["IdempotencyTable"]
    table = resource["Properties"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert "GlobalSecondaryIndexes" not in table and "LocalSecondaryIndexes" not in table
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert "StreamSpecification" not in table  # nothing consumes it
    assert table["TableName"] == {"Fn::Sub": "orderflow-${Stage}-idempotency"}
    orders = cfn["Resources"]["OrdersTable"]
    for key in ("DeletionPolicy", "UpdateReplacePolicy"):
        assert resource[key] == orders[key], key
    assert table["DeletionProtectionEnabled"] == orders["Properties"]["DeletionProtectionEnabled"]
    assert sam["Outputs"]["IdempotencyTableName"]["Value"] == {"Ref": "IdempotencyTable"}


def test_api_routes_are_all_behind_the_cognito_authorizer(cfn: dict[str, Any]) -> None:
    """All but Stripe's webhook, whose signature authenticates it (and only when enabled)."""
    body = cfn["Resources"]["OrdersApi"]["Properties"]["Body"]
    paths = dict(body["paths"])
    webhook = paths.pop("/webhooks/stripe")
    routes = {
        (method.upper(), path): operation
        for path, operations in paths.items()
        for method, operation in operations.items()
        if method != "options"
    }
    condition, enabled, disabled = webhook["Fn::If"]
    assert (condition, disabled) == ("HasStripeWebhook", {"Ref": "AWS::NoValue"})
    (_, post, _) = enabled["post"]["Fn::If"]
    assert post["security"] == [{"NONE": []}]
    assert "StripeWebhookFunction" in json.dumps(post["x-amazon-apigateway-integration"])
    assert set(routes) == {
        ("POST", "/orders"),
        ("GET", "/orders"),
        ("GET", "/orders/{orderId}"),
        ("POST", "/orders/{orderId}/cancel"),
        ("POST", "/orders/{orderId}/refunds"),
    }
    for route, operation in routes.items():
        assert operation["security"] == [{"CognitoAuthorizer": []}], route
        # Through the alias AutoPublishAlias makes (a published version: SnapStart needs one).
        assert "${ApiFunctionAliaslive}" in json.dumps(operation["x-amazon-apigateway-integration"])
    schemes = body["components"]["securitySchemes"]
    assert schemes["CognitoAuthorizer"]["x-amazon-apigateway-authtype"] == "cognito_user_pools"


def test_api_stage_throttles_and_logs_without_personal_data(cfn: dict[str, Any]) -> None:
    stage = next(
        r["Properties"] for r in cfn["Resources"].values() if r["Type"] == "AWS::ApiGateway::Stage"
    )
    (settings,) = stage["MethodSettings"]
    assert settings["ThrottlingRateLimit"] and settings["ThrottlingBurstLimit"]
    assert settings["DataTraceEnabled"] is False
    log_format = stage["AccessLogSetting"]["Format"]
    json.loads(log_format)  # one JSON object per request
    for personal in ("sourceIp", "userAgent", "claims", "$context.path", "caller", "user"):
        assert personal not in log_format


def test_cors_is_one_origin_never_a_wildcard(sam: dict[str, Any]) -> None:
    cors = sam["Resources"]["OrdersApi"]["Properties"]["Cors"]
    assert cors["AllowOrigin"] == {"Fn::Sub": "'${CorsAllowOrigin}'"}
    parameter = sam["Parameters"]["CorsAllowOrigin"]
    pattern = re.compile(parameter["AllowedPattern"])  # simple enough to read the same in Java
    assert pattern.fullmatch(parameter["Default"])
    assert pattern.fullmatch("https://shop.example.com")
    for rejected in ("*", "https://*.example.com", "https://a.com,https://b.com", "'*'"):
        assert not pattern.fullmatch(rejected), rejected


def test_missing_workflow_definition_is_an_error_unless_allowed(
    tmp_path: Path, template_path: Path
) -> None:
    copy = tmp_path / "template.yaml"
    copy.write_text(template_path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(FileNotFoundError, match=r"order_saga\.asl\.json"):
        translate(copy)
    cfn = translate(copy, allow_missing_definitions=True)
    machine = cfn["Resources"]["OrderSagaStateMachine"]["Properties"]
    assert "DefinitionS3Location" in machine


def test_invalid_sam_is_reported_with_its_causes(tmp_path: Path) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties: {Runtime: python3.13, CodeUri: x.zip}\n",
        encoding="utf-8",
    )
    with pytest.raises(TranslationError, match="Handler"):
        translate(broken)


def test_short_form_intrinsics_are_read(sam: dict[str, Any]) -> None:
    resources = sam["Resources"]
    assert resources["OrderFlowBus"]["Properties"]["Name"] == {"Fn::Sub": "orderflow-${Stage}"}
    target = resources["OrderPlacedRule"]["Properties"]["Targets"][0]
    assert target["Arn"] == {"Fn::GetAtt": ["WorkflowStartQueue", "Arn"]}
    assert load_template()["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
