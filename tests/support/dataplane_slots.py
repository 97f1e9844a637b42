"""One served endpoint for many tests: each test puts fresh services into the slots.

Starting and stopping a server per test costs ~0.2 s (uvicorn's shutdown); a slot is a
stand-in the endpoint serves, forwarding each call to whatever service the test installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from infra.local.dataplane.service import JsonService, Params
from tests.support.dataplane import Served, served


class Slot(JsonService):
    def __init__(self, prefix: str, json_version: str) -> None:
        self.TARGET_PREFIX = prefix  # type: ignore[misc]
        self.JSON_VERSION = json_version  # type: ignore[misc]
        self.NAME = prefix  # type: ignore[misc]
        self.target: JsonService | None = None

    def blocks(self, operation: str, params: Params) -> bool:
        return self.target.blocks(operation, params) if self.target else False

    def call(self, operation: str, params: Params) -> Params:
        if self.target is None:
            raise RuntimeError(f"no service installed in the {self.TARGET_PREFIX} slot")
        return self.target.call(operation, params)


@contextmanager
def slots(*specs: tuple[str, str]) -> Iterator[tuple[Served, dict[str, Slot]]]:
    """Serve one slot per (target prefix, JSON version)."""
    made = {prefix: Slot(prefix, version) for prefix, version in specs}
    with served(list(made.values())) as endpoint:
        yield endpoint, made


def install(slot: Slot, service: Any) -> None:
    slot.target = service
    slot.BLOCKING = service.BLOCKING  # type: ignore[misc]
