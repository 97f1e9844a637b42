"""Sandboxes for the tests: functions from ``task_root/probe.py``, a pool per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local.sandbox.environment import FunctionConfig, Surroundings
from infra.local.sandbox.pool import FunctionPool

TASK_ROOT = Path(__file__).parent / "task_root"
WHERE = Surroundings(endpoint="http://127.0.0.1:9", region="us-east-1", task_root=TASK_ROOT)
Pools = Callable[..., FunctionPool]


def function(handler: str, **settings: Any) -> FunctionConfig:
    name = settings.pop("name", handler.replace("_", "-"))
    return FunctionConfig(
        name=name,
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        handler=f"probe.{handler}",
        **settings,
    )


@pytest.fixture
def pools() -> Iterator[Pools]:
    made: list[FunctionPool] = []

    def make(handler: str, local_limit: int = 2, **settings: Any) -> FunctionPool:
        pool = FunctionPool(function(handler, **settings), WHERE, local_limit=local_limit)
        made.append(pool)
        return pool

    yield make
    for pool in made:
        pool.close()
