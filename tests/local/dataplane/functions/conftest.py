from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from infra.local.dataplane.functions.service import Functions
from infra.local.dataplane.store import Store
from tests.support.dataplane import Served, served
from tests.support.runners import InProcessRunner

ROLE = "arn:aws:iam::123456789012:role/test"


@dataclass
class Lambda:
    service: Functions
    runner: InProcessRunner
    served: Served
    client: Any

    def create(self, name: str, handler: str, **settings: Any) -> dict[str, Any]:
        created: dict[str, Any] = self.client.create_function(
            FunctionName=name, Role=ROLE, Handler=handler, Code={"ZipFile": b"zip"}, **settings
        )
        return created


@pytest.fixture
def lambda_api() -> Iterator[Lambda]:
    runner = InProcessRunner()
    store = Store(None)
    clock_now = [1_700_000_000.0]
    functions = Functions(
        store, runner=runner, region="us-east-1", account="123456789012", clock=lambda: clock_now[0]
    )
    with served([], rest=[functions]) as s:
        yield Lambda(functions, runner, s, s.client("lambda"))
    store.close()
