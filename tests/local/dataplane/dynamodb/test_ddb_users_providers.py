"""The simulated providers' result store (first writer wins, one conditional PutItem with
ReturnValuesOnConditionCheckFailure) against the data plane: the adapter suite's behaviours,
collected again here with this data plane's ``table``."""

from __future__ import annotations

import pytest

from adapters.aws import clients
from tests.adapters.conftest import samples  # noqa: F401  # the adapter suite's sample orders
from tests.adapters.test_aws_provider_store import *  # noqa: F403  # the behaviours, again
from tests.support.moto_tables import TABLE, create_orders_table


@pytest.fixture
def table(aws_endpoint: str) -> str:
    create_orders_table(clients.client("dynamodb"), TABLE)
    return TABLE
