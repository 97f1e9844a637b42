"""An SQS service on a loopback port with a clock the test moves, and a boto3 client to it.

One endpoint and client serve the whole session; each test gets a fresh service and store.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqs_world import World, build

from infra.local.dataplane.store import Store
from tests.support.clock import FakeClock
from tests.support.dataplane import Served
from tests.support.dataplane_slots import Slot, install, slots


@pytest.fixture(scope="session")
def sqs_endpoint() -> Iterator[tuple[Served, Slot, Any]]:
    with slots(("AmazonSQS", "1.0")) as (endpoint, made):
        yield endpoint, made["AmazonSQS"], endpoint.client("sqs")


@pytest.fixture
def world(sqs_endpoint: tuple[Served, Slot, Any]) -> World:
    endpoint, slot, client = sqs_endpoint
    clock = FakeClock()
    service = build(Store(None), clock)
    install(slot, service)
    return World(clock, service, endpoint, client, slot)
