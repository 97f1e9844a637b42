"""The orders repository and its outbox stream, against the data plane: the same behaviours
tests/adapters proves against moto (the tests are those, collected again here with a
``table`` fixture of this data plane), so the adapter and the local stack agree."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.aws import clients
from tests.adapters.conftest import samples  # noqa: F401  # the adapter suite's sample orders
from tests.adapters.test_aws_dynamodb_orders import *  # noqa: F403  # the behaviours, again
from tests.adapters.test_aws_outbox_stream import (  # noqa: F401
    test_outbox_events_come_back_from_stream_images_exactly_as_written,
)
from tests.support.moto_tables import TABLE, create_orders_table


@pytest.fixture
def table(aws_endpoint: str) -> str:
    create_orders_table(clients.client("dynamodb"), TABLE)
    return TABLE


def test_the_repository_really_talks_to_the_data_plane(
    table: str,
    plane: Any,
    samples: Any,  # noqa: F811  # the fixture imported above
) -> None:
    from adapters.aws.dynamodb_orders import DynamoOrderRepository

    DynamoOrderRepository(table).add(samples.new_order(order_id="seen-here"))
    with plane.store.read() as db:
        stored = db.execute("SELECT count(*) FROM ddb_items").fetchone()[0]
    assert stored == 2  # the order and its OrderPlaced outbox item
