"""The DynamoDB data plane through real boto3 clients on a real loopback endpoint.

One server for the session (starting uvicorn and boto3 clients costs ~0.25 s); each test gets
fresh services on a fresh in-memory store, with a clock of its own, plugged into it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.dataplane.dynamodb import DynamoDB, DynamoDBStreams
from infra.local.dataplane.http import HttpServer
from infra.local.dataplane.server import Endpoint
from infra.local.dataplane.store import Store
from infra.local.process import bind
from tests.support.dataplane import Served
from tests.support.dynamodb_plane import Clock, Plane, make_table


@pytest.fixture(scope="session")
def endpoint() -> Iterator[tuple[Endpoint, Served]]:
    app = Endpoint([])
    server = HttpServer(app, bind("127.0.0.1", 0, "--aws-port"), "test-ddb-endpoint")
    server.start()
    try:
        yield app, Served(f"http://127.0.0.1:{server.port}")
    finally:
        server.stop()


@pytest.fixture(scope="session")
def clients(endpoint: tuple[Endpoint, Served]) -> tuple[Any, Any]:
    return endpoint[1].client("dynamodb"), endpoint[1].client("dynamodbstreams")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def plane(endpoint: tuple[Endpoint, Served], clock: Clock) -> Iterator[Plane]:
    store = Store(None)
    found = Plane(store, DynamoDB(store, clock=clock), DynamoDBStreams(store, clock=clock), clock)
    endpoint[0].json = {s.TARGET_PREFIX: s for s in (found.dynamodb, found.streams)}
    yield found
    endpoint[0].json = {}
    store.close()


@pytest.fixture
def ddb(plane: Plane, clients: tuple[Any, Any]) -> Any:
    return clients[0]


@pytest.fixture
def streams(plane: Plane, clients: tuple[Any, Any]) -> Any:
    return clients[1]


@pytest.fixture
def table(ddb: Any) -> str:
    """``things``: PK (S) and SK (S), no index, no stream."""
    return make_table(ddb)


@pytest.fixture
def aws_endpoint(
    plane: Plane, endpoint: tuple[Endpoint, Served], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> Iterator[str]:
    """The project's own clients (adapters.aws.clients, plain boto3) pointed at the data
    plane, as the local stack points its functions: AWS_ENDPOINT_URL and fake credentials."""
    from adapters.aws import clients as project_clients

    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    url = endpoint[1].url
    for name, value in {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
    }.items():
        monkeypatch.setenv(name, value)
    project_clients.clear_cache()
    yield url
    project_clients.clear_cache()
