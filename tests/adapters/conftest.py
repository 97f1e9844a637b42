"""Fixtures for the AWS adapters: moto in-process (``mock_aws``), fake credentials, no network.

The table is created exactly as docs/data-model.md describes (and the SAM template deploys).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from moto import mock_aws

from adapters.aws import clients
from domain.money import Money
from domain.order import Order
from domain.values import Address, OrderLine
from tests.support.moto_tables import create_orders_table, make_moto_dynamodb_atomic

REGION = "us-east-1"
TABLE = "orderflow-test"
BUS = "orderflow-test-bus"
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ADDRESS = Address("Zoë Łukasiewicz", "1 Rue de la Paix", "Paris", "75002", "FR", line2="Bât. B")


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[None]:
    """Fake credentials and a fixed region; nothing from the developer's AWS setup leaks in
    (profiles, endpoint URLs, account-endpoint settings)."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name in ("LAMBDA_TASK_ROOT", "_X_AMZN_TRACE_ID"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    clients.clear_cache()
    yield
    clients.clear_cache()


@pytest.fixture
def aws(aws_env: None) -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def table(aws: None, monkeypatch: pytest.MonkeyPatch) -> str:
    make_moto_dynamodb_atomic(monkeypatch)
    create_orders_table(clients.client("dynamodb"), TABLE)
    return TABLE


@pytest.fixture
def bus(aws: None) -> str:
    clients.client("events").create_event_bus(Name=BUS)
    return BUS


# ----- sample orders ---------------------------------------------------------------------
def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def new_order(order_id: str = "o-1", customer_id: str = "c-1", at: datetime = T0) -> Order:
    return Order.place(
        order_id=order_id,
        customer_id=customer_id,
        lines=(OrderLine("SKU-1", 2, eur("12.50")), OrderLine("SKU-2", 1, eur("3.10"))),
        shipping_address=ADDRESS,
        payment_token="tok_visa_4242",
        at=at,
    )


def later(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def samples() -> SimpleNamespace:
    """Sample-building helpers as a fixture (test modules do not import conftest)."""
    return SimpleNamespace(new_order=new_order, eur=eur, later=later, T0=T0, ADDRESS=ADDRESS)
