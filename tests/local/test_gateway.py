"""The local API Gateway, in process: routing, the authorizer, the gateway's own answers, and
the proxy event and response formats."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel
from starlette.applications import Starlette

from infra.local import tokens
from infra.local.gateway import create_app
from infra.local.routes import Route

SAMPLE = Path(__file__).parent / "fixtures" / "rest-proxy-event.json"
ROUTES = [
    Route("POST", "/orders", "ApiFunction", authorized=True),
    Route("GET", "/orders/{orderId}", "ApiFunction", authorized=True),
    Route("GET", "/health", "HealthFunction", authorized=False),
    Route("ANY", "/files/{proxy+}", "FilesFunction", authorized=False),
]
OK = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"ok":true}'}


class Functions:
    """Stands in for the runner's invoke: records each call, answers what the test says."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answer: Callable[[dict[str, Any]], Any] = lambda event: OK

    def __call__(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((function, event))
        result: dict[str, Any] = self.answer(event)
        return result

    @property
    def event(self) -> dict[str, Any]:
        return self.calls[-1][1]


class Client:
    """Synchronous calls into the ASGI app through httpx's ASGI transport: no socket."""

    def __init__(self, app: Starlette) -> None:
        self.transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50123))

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            async with httpx.AsyncClient(
                transport=self.transport, base_url="http://testserver"
            ) as c:
                response = await c.request(method, url, **kwargs)
                await response.aread()
                return response

        return anyio.run(send)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


@pytest.fixture
def functions() -> Functions:
    return Functions()


@pytest.fixture
def client(functions: Functions, secret: bytes) -> Client:
    app = create_app(
        ROUTES,
        functions,
        lambda t: tokens.verify(t, secret=secret),
        max_body_bytes=1024,
        integration_timeout=0.5,
    )
    return Client(app)


@pytest.fixture
def auth(secret: bytes) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.mint('cust-7', secret=secret)}"}


# ------------------------------------------------------------------ routing and the event
def test_path_parameters_and_query_strings_reach_the_function(
    client: Client, functions: Functions, auth: dict[str, str]
) -> None:
    response = client.get("/orders/o-1?view=full&tag=a&tag=b&empty=", headers=auth)
    assert (response.status_code, response.json()) == (200, {"ok": True})
    function, event = functions.calls[0]
    assert function == "ApiFunction"
    assert (event["resource"], event["path"], event["httpMethod"]) == (
        "/orders/{orderId}",
        "/orders/o-1",
        "GET",
    )
    assert event["pathParameters"] == {"orderId": "o-1"}
    assert event["queryStringParameters"] == {"view": "full", "tag": "b", "empty": ""}
    assert event["multiValueQueryStringParameters"] == {
        "view": ["full"],
        "tag": ["a", "b"],
        "empty": [""],
    }
    assert event["body"] is None and event["isBase64Encoded"] is False


def test_no_query_and_no_path_parameters_are_null(client: Client, functions: Functions) -> None:
    client.get("/health")
    event = functions.event
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None and event["stageVariables"] is None
    assert "authorizer" not in event["requestContext"]


def test_multi_value_headers_keep_every_value_and_headers_the_last(
    client: Client, functions: Functions
) -> None:
    client.get("/health", headers=[("x-tag", "one"), ("x-tag", "two"), ("idempotency-key", "k1")])
    event = functions.event
    assert event["multiValueHeaders"]["X-Tag"] == ["one", "two"]
    assert event["headers"]["X-Tag"] == "two"
    assert event["headers"]["Idempotency-Key"] == "k1"
    assert event["headers"]["X-Forwarded-Proto"] == "http"
    assert event["headers"]["X-Amzn-Trace-Id"].startswith("Root=1-")


def test_the_stage_in_the_path_is_optional(client: Client, functions: Functions) -> None:
    client.get("/local/files/a/b.txt")
    client.get("/files/a/b.txt")
    with_stage, without = (event for _, event in functions.calls)
    for event in (with_stage, without):
        assert (event["resource"], event["path"]) == ("/files/{proxy+}", "/files/a/b.txt")
        assert event["pathParameters"] == {"proxy": "a/b.txt"}
        assert event["requestContext"]["path"] == "/local/files/a/b.txt"
        assert event["requestContext"]["stage"] == "local"
        assert event["requestContext"]["identity"]["sourceIp"] == "203.0.113.10"


def test_a_text_body_is_passed_as_is_and_a_binary_one_in_base64(
    client: Client, functions: Functions
) -> None:
    client.post("/files/upload", content='{"name":"Zoë"}')
    assert functions.event["body"] == '{"name":"Zoë"}'
    assert functions.event["isBase64Encoded"] is False
    client.post("/files/upload", content=b"\xff\xd8\xff\x00")
    assert functions.event["isBase64Encoded"] is True
    assert base64.b64decode(functions.event["body"]) == b"\xff\xd8\xff\x00"


def test_the_event_has_the_shape_of_a_real_rest_proxy_event(
    client: Client, functions: Functions, auth: dict[str, str]
) -> None:
    client.get("/orders/o-1?view=full", headers={**auth, "User-Agent": "curl/8.5.0"})
    sample = json.loads(SAMPLE.read_text())
    event = functions.event
    _same_shape(event, sample, "event", skip={"claims"})
    claims = event["requestContext"]["authorizer"]["claims"]
    sample_claims = sample["requestContext"]["authorizer"]["claims"]
    assert set(claims) <= set(sample_claims)
    assert all(isinstance(value, str) for value in claims.values())
    assert claims["sub"] == "cust-7" and claims["token_use"] == "id"
    assert time.strptime(claims["exp"], "%a %b %d %H:%M:%S UTC %Y")  # rendered as API GW does


def test_the_event_validates_against_the_powertools_model(
    client: Client, functions: Functions, auth: dict[str, str]
) -> None:
    client.post("/orders", headers=auth, json={"items": []})
    model = APIGatewayProxyEventModel.model_validate(functions.event)
    assert model.requestContext.authorizer is not None
    assert (
        model.requestContext.authorizer.claims
        == functions.event["requestContext"]["authorizer"]["claims"]
    )


def test_a_powertools_rest_resolver_works_behind_the_gateway(
    client: Client, functions: Functions, auth: dict[str, str]
) -> None:
    app = APIGatewayRestResolver()

    @app.get("/orders/<orderId>")
    def get_order(orderId: str) -> dict[str, Any]:
        event = app.current_event
        return {
            "id": orderId,
            "customer": event.request_context.authorizer.claims["sub"],
            "trace": "x-amzn-trace-id" in event.headers,
        }  # case-insensitive

    functions.answer = lambda event: app.resolve(event, None)  # type: ignore[arg-type]
    response = client.get("/orders/o-9", headers=auth)
    assert response.status_code == 200
    assert response.json() == {"id": "o-9", "customer": "cust-7", "trace": True}


# ------------------------------------------------------------------ the gateway's own answers
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nowhere"),
        ("DELETE", "/orders/o-1"),
        ("PUT", "/health"),
        ("GET", "/"),
        ("PROPFIND", "/health"),
    ],
)
def test_unknown_route_or_method_is_403_missing_authentication_token(
    client: Client, functions: Functions, method: str, path: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 403
    assert response.json() == {
        "error": "forbidden",
        "message": "Missing Authentication Token",
        "details": [],
    }
    assert response.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert response.headers["x-amzn-requestid"]
    assert functions.calls == []


def _expired(secret: bytes) -> str:
    return tokens.mint("cust-7", secret=secret, ttl_seconds=60, now=time.time() - 3600)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer not.a.token",
        "Basic dXNlcjpwYXNz",
        "expired",
        "wrong-secret",
        "tampered",
    ],
)
def test_a_guarded_route_without_a_valid_token_is_401_and_the_function_never_runs(
    client: Client, functions: Functions, secret: bytes, authorization: str | None
) -> None:
    good = tokens.mint("cust-7", secret=secret)
    value = {
        "expired": f"Bearer {_expired(secret)}",
        "wrong-secret": f"Bearer {tokens.mint('cust-7', secret=b'other')}",
        "tampered": f"Bearer {good[:-3]}xyz",
    }.get(authorization or "", authorization)
    headers = {} if value is None else {"Authorization": value}
    response = client.post("/orders", headers=headers, json={"items": [1]})
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized", "message": "Unauthorized", "details": []}
    assert functions.calls == []


def test_a_bare_token_is_accepted_as_cognito_authorizers_do(
    client: Client, functions: Functions, secret: bytes
) -> None:
    response = client.get("/orders/o-1", headers={"Authorization": tokens.mint("c", secret=secret)})
    assert response.status_code == 200
    assert functions.event["requestContext"]["authorizer"]["claims"]["sub"] == "c"


def test_a_body_over_the_limit_is_413_and_the_function_never_runs(
    client: Client, functions: Functions
) -> None:
    assert client.post("/files/x", content=b"a" * 1024).status_code == 200
    response = client.post("/files/x", content=b"a" * 1025)
    assert (response.status_code, response.json()) == (413, {"message": "Request Too Long"})

    async def chunks() -> AsyncIterator[bytes]:
        yield b"a" * 600
        yield b"a" * 600

    chunked = client.post("/files/x", content=chunks())  # streamed, no Content-Length
    assert chunked.status_code == 413
    assert len(functions.calls) == 1


def test_a_function_that_raises_is_502_without_details(
    client: Client, functions: Functions
) -> None:
    def crash(event: dict[str, Any]) -> Any:
        raise RuntimeError("secret stack detail /srv/app.py")

    functions.answer = crash
    response = client.get("/health")
    assert (response.status_code, response.text) == (502, '{"message": "Internal server error"}')
    assert response.headers["x-amzn-errortype"] == "InternalServerErrorException"


@pytest.mark.parametrize(
    "answer",
    [
        None,
        "a string",
        {"body": "no status"},
        {"statusCode": 99},
        {"statusCode": True},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "unexpected": 1},
        {"errorType": "ValueError", "errorMessage": "boom"},  # a Lambda error envelope
        {"statusCode": 200, "body": "%%%", "isBase64Encoded": True},
        {"statusCode": 200, "headers": {"X-Bad": {"nested": 1}}},
        {"statusCode": 200, "multiValueHeaders": {"X-Bad": "not a list"}},
    ],
)
def test_a_malformed_proxy_response_is_502(
    client: Client, functions: Functions, answer: Any
) -> None:
    functions.answer = lambda event: answer
    response = client.get("/health")
    assert (response.status_code, response.text) == (502, '{"message": "Internal server error"}')


def test_a_function_past_the_integration_timeout_is_504(
    client: Client, functions: Functions
) -> None:
    def slow(event: dict[str, Any]) -> Any:
        time.sleep(1.0)
        return OK

    functions.answer = slow
    response = client.get("/health")
    assert response.status_code == 504
    assert response.json() == {"message": "Endpoint request timed out"}


def test_a_timeout_error_raised_by_the_function_is_a_502_not_a_504(
    client: Client, functions: Functions
) -> None:
    def raises(event: dict[str, Any]) -> Any:
        raise TimeoutError("the function's own")

    functions.answer = raises
    assert client.get("/health").status_code == 502


# ------------------------------------------------------------------ the response mapping
def test_status_headers_and_multi_value_headers_are_mapped(
    client: Client, functions: Functions
) -> None:
    functions.answer = lambda event: {
        "statusCode": "201",
        "headers": {"Location": "/orders/o-1", "X-Count": 3, "Set-Cookie": "a=1"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"], "Vary": ["Origin"]},
        "body": "created",
        "isBase64Encoded": False,
    }
    response = client.get("/health")
    assert response.status_code == 201
    assert response.text == "created"
    assert response.headers["location"] == "/orders/o-1"
    assert response.headers["x-count"] == "3"
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]  # a=1 once, not twice
    assert response.headers["content-type"] == "application/json"  # API Gateway's default
    assert response.headers["x-amzn-requestid"] == functions.event["requestContext"]["requestId"]


def test_a_base64_body_is_decoded(client: Client, functions: Functions) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00"
    functions.answer = lambda event: {
        "statusCode": 200,
        "headers": {"Content-Type": "image/png"},
        "body": base64.b64encode(png).decode(),
        "isBase64Encoded": True,
    }
    response = client.get("/health")
    assert (response.content, response.headers["content-type"]) == (png, "image/png")


def test_no_body_is_an_empty_body(client: Client, functions: Functions) -> None:
    functions.answer = lambda event: {"statusCode": 204}
    response = client.get("/health")
    assert (response.status_code, response.content) == (204, b"")


def _same_shape(ours: Any, sample: Any, where: str, skip: set[str]) -> None:
    """Same keys at every level, and the same JSON type where the sample has a value."""
    if isinstance(sample, dict):
        assert isinstance(ours, dict), f"{where}: {type(ours).__name__}, expected an object"
        if where.endswith("headers") or where.endswith("Headers") or "Parameters" in where:
            return  # request-specific names
        assert set(ours) == set(sample), f"{where}: keys differ: {set(ours) ^ set(sample)}"
        for key, value in sample.items():
            if key not in skip:
                _same_shape(ours[key], value, f"{where}.{key}", skip)
    elif sample is not None:
        assert type(ours) is type(sample), f"{where}: {ours!r} is not a {type(sample).__name__}"
