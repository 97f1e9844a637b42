"""EventBridge and SQS on a loopback port with a clock the test moves.

One endpoint and clients serve the whole session; each test gets fresh services and store.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from events_world import World, build

from infra.local.dataplane.store import Store
from tests.support.clock import FakeClock
from tests.support.dataplane import Served
from tests.support.dataplane_slots import Slot, slots


@pytest.fixture(scope="session")
def endpoint() -> Iterator[tuple[Served, dict[str, Slot], Any, Any]]:
    with slots(("AmazonSQS", "1.0"), ("AWSEvents", "1.1")) as (served, made):
        yield served, made, served.client("events"), served.client("sqs")


@pytest.fixture
def world(endpoint: tuple[Served, dict[str, Slot], Any, Any]) -> World:
    served, made, events, sqs = endpoint
    clock = FakeClock()
    world = World(clock, build(Store(None), clock), served, made, events, sqs)
    world.install(world.services)
    return world
