"""Routes read from a template translated offline (infra.sam_translate), and how a request finds
one."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from infra.local.routes import Route, RouteTable, UnsupportedRoute, routes_from_template
from infra.sam_translate import translate

FIXTURE = Path(__file__).parent / "fixtures" / "sam-api.yaml"
REAL_TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "template.yaml"
CUSTOMER_API = [
    ("POST", "/orders"),
    ("GET", "/orders"),
    ("GET", "/orders/{orderId}"),
    ("POST", "/orders/{orderId}/cancel"),
    ("POST", "/orders/{orderId}/refunds"),
]


@pytest.fixture(scope="module")
def translated() -> dict[str, Any]:
    return translate(FIXTURE)


def test_routes_come_from_the_translated_api_events(translated: dict[str, Any]) -> None:
    assert sorted(routes_from_template(translated), key=lambda r: (r.path, r.method)) == [
        Route("ANY", "/files/{proxy+}", "FilesFunction", authorized=False),
        Route("GET", "/health", "ApiFunction", authorized=False),
        Route("POST", "/orders", "ApiFunction", authorized=True),
        Route("GET", "/orders/{orderId}", "ApiFunction", authorized=True),
    ]


def test_a_mock_integration_such_as_cors_preflight_is_not_a_route(
    translated: dict[str, Any],
) -> None:
    cfn = copy.deepcopy(translated)
    paths = cfn["Resources"]["OrdersApi"]["Properties"]["Body"]["paths"]
    paths["/orders"]["options"] = {"x-amazon-apigateway-integration": {"type": "mock"}}
    assert ("OPTIONS", "/orders") not in {(r.method, r.path) for r in routes_from_template(cfn)}


def test_an_authorizer_that_is_not_emulated_is_refused_loudly(translated: dict[str, Any]) -> None:
    cfn = copy.deepcopy(translated)
    body = cfn["Resources"]["OrdersApi"]["Properties"]["Body"]
    body["securityDefinitions"]["CognitoAuth"]["x-amazon-apigateway-authtype"] = "awsSigv4"
    with pytest.raises(UnsupportedRoute, match=r"POST /orders.*awsSigv4"):
        routes_from_template(cfn)


def test_an_api_whose_body_was_not_inlined_is_refused(translated: dict[str, Any]) -> None:
    cfn = copy.deepcopy(translated)
    props = cfn["Resources"]["OrdersApi"]["Properties"]
    props["BodyS3Location"] = {"Bucket": "b", "Key": "k"}
    del props["Body"]
    with pytest.raises(UnsupportedRoute, match="OrdersApi"):
        routes_from_template(cfn)


def test_the_real_template_declares_the_customer_api() -> None:
    if not REAL_TEMPLATE.exists():
        pytest.skip("infra/template.yaml does not exist yet: this test runs once it does")
    # the ASL is not needed for routes: a missing workflow file must not hide them
    routes = routes_from_template(translate(REAL_TEMPLATE, allow_missing_definitions=True))
    by_key = {(r.method, r.path): r for r in routes}
    for key in CUSTOMER_API:
        assert key in by_key, f"{key} missing from infra/template.yaml"
        assert by_key[key].authorized, f"{key} must be behind the Cognito authorizer"
    assert not [r for r in routes if not r.authorized], "every customer route needs a token"


def test_stripes_webhook_is_served_without_a_token_only_when_enabled() -> None:
    """A conditional function's route (Fn::If in the swagger) follows the stack's condition."""
    cfn = translate(REAL_TEMPLATE, allow_missing_definitions=True)
    webhook = Route("POST", "/webhooks/stripe", "StripeWebhookFunction", authorized=False)

    enabled = routes_from_template(cfn, lambda name: name == "HasStripeWebhook")
    disabled = routes_from_template(cfn, lambda name: False)

    assert webhook in enabled
    assert webhook not in disabled and webhook not in routes_from_template(cfn)
    assert {(r.method, r.path) for r in disabled} == set(CUSTOMER_API)


TABLE = RouteTable(
    [
        Route("GET", "/orders", "List", True),
        Route("GET", "/orders/mine", "Mine", True),
        Route("GET", "/orders/{orderId}", "Get", True),
        Route("POST", "/orders/{orderId}/cancel", "Cancel", True),
        Route("ANY", "/files/{proxy+}", "Files", False),
        Route("GET", "/{proxy+}", "CatchAll", False),
    ]
)


@pytest.mark.parametrize(
    ("method", "path", "function", "params"),
    [
        ("GET", "/orders", "List", {}),
        ("GET", "/orders/", "List", {}),
        ("GET", "/orders/mine", "Mine", {}),
        ("GET", "/orders/o-1", "Get", {"orderId": "o-1"}),
        ("POST", "/orders/o-1/cancel", "Cancel", {"orderId": "o-1"}),
        ("DELETE", "/files/a/b.txt", "Files", {"proxy": "a/b.txt"}),
        ("GET", "/anything/else", "CatchAll", {"proxy": "anything/else"}),
    ],
)
def test_the_most_specific_resource_wins(
    method: str, path: str, function: str, params: dict[str, str]
) -> None:
    match = TABLE.match(method, path)
    assert match is not None
    assert (match.route.function, match.path_parameters) == (function, params)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/orders/o-1"),  # the resource exists, the method does not
        ("GET", "/orders/o-1/cancel"),
        ("POST", "/nowhere"),
        ("GET", "/"),
    ],
)
def test_no_route(method: str, path: str) -> None:
    assert TABLE.match(method, path) is None


def test_two_routes_for_the_same_method_and_path_are_refused() -> None:
    with pytest.raises(ValueError, match="GET /a"):
        RouteTable([Route("GET", "/a", "One", False), Route("GET", "/a", "Two", False)])
