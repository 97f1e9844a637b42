"""Fixtures for the domain's tests: in-memory ports and a world of use cases (see support.py).

No network, no AWS: every port is an in-memory fake or a deterministic simulation, and time is
a ManualClock.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.clock import ManualClock
from adapters.memory.recorders import RecordingWorkflow
from domain.order import Order
from tests.domain.support import CheckingRepository, SpyCarrier, SpyPaymentProvider, World


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def order_in(world: World) -> Callable[..., Order]:
    return world.order_in


@pytest.fixture
def orders(world: World) -> CheckingRepository:
    return world.orders


@pytest.fixture
def payments(world: World) -> SpyPaymentProvider:
    return world.payments


@pytest.fixture
def carrier(world: World) -> SpyCarrier:
    return world.carrier


@pytest.fixture
def workflow(world: World) -> RecordingWorkflow:
    return world.workflow


@pytest.fixture
def clock(world: World) -> ManualClock:
    return world.clock
