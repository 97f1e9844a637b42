"""Fixtures for the handler tests: the Lambda environment, in-memory ports behind the real
composition root, the committed sample events, and captured logs and metrics.

No network: the in-memory ports (the domain tests' ``World``) serve most tests; the few that
need AWS run under moto's ``mock_aws`` (see ``aws.py``), and the concurrency test runs a moto
server on loopback for its Lambda instances (processes).
"""

from __future__ import annotations

import copy
import io
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.aws import clients
from adapters.memory.idempotency import InMemoryIdempotencyStore
from handlers.common.observability import logger, metrics
from tests.domain.support import World
from tests.handlers.api_support import ApiClient
from tests.handlers.fakes import LAMBDA_ENV
from tests.support.wiring import use_app, use_world

EVENTS = Path(__file__).resolve().parent.parent / "events"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Read-only requests record no business metric; Powertools warns about it each time."""
    here = Path(__file__).parent
    quiet = pytest.mark.filterwarnings("ignore:No application metrics to publish")
    for item in items:
        if here in item.path.parents:
            item.add_marker(quiet)


@pytest.fixture(autouse=True)
def lambda_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in LAMBDA_ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "POWERTOOLS_IDEMPOTENCY_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    # Metrics was built when the handlers were imported, maybe before this environment.
    monkeypatch.setattr(metrics, "namespace", "OrderFlow")
    clients.clear_cache()
    use_app(None)  # each entry point builds its app from this environment on first use
    yield
    use_app(None)
    clients.clear_cache()


@pytest.fixture
def world() -> Iterator[World]:
    """The domain tests' in-memory world, wired into the handlers' composition root."""
    w = World(idempotency_store=InMemoryIdempotencyStore())
    use_world(w)
    yield w
    use_app(None)


@pytest.fixture
def idempotency_store(world: World) -> InMemoryIdempotencyStore:
    """The world's Powertools idempotency records (POST /orders)."""
    store = world.app.idempotency_store
    assert isinstance(store, InMemoryIdempotencyStore)
    return store


@pytest.fixture
def load_event() -> Callable[[str], dict[str, Any]]:
    """A fresh copy of a committed sample event from tests/events/."""

    def load(name: str) -> dict[str, Any]:
        return copy.deepcopy(json.loads((EVENTS / name).read_text(encoding="utf-8")))

    return load


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """Everything the handlers' Powertools logger writes during the test."""
    # A logging.config.dictConfig() elsewhere in the session (import-linter's, run in-process by
    # tests/architecture) disables every logger that existed then, ours included.
    monkeypatch.setattr(logging.getLogger(logger.name), "disabled", False)
    handler = logger.registered_handler
    assert hasattr(handler, "setStream")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.fixture
def emitted_metrics(capsys: pytest.CaptureFixture[str]) -> Callable[[], dict[str, float]]:
    """Sums of the EMF metrics printed so far, by name (Powertools prints them on flush)."""

    def read() -> dict[str, float]:
        totals: dict[str, float] = {}
        for line in capsys.readouterr().out.splitlines():
            if not line.startswith("{") or '"_aws"' not in line:
                continue
            blob = json.loads(line)
            for directive in blob["_aws"]["CloudWatchMetrics"]:
                for metric in directive["Metrics"]:
                    values = blob[metric["Name"]]
                    values = values if isinstance(values, list) else [values]
                    totals[metric["Name"]] = totals.get(metric["Name"], 0) + sum(values)
        return totals

    return read


@pytest.fixture
def api(
    world: World,
    idempotency_store: InMemoryIdempotencyStore,
    load_event: Callable[[str], dict[str, Any]],
) -> ApiClient:
    return ApiClient(load_event("api_post_orders.json"))
