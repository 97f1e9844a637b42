"""A stand-in for the sandboxes: runs named Python callables in-process, records each invoke.

For tests of the Lambda API, the asynchronous queue and the state machines that do not need a
process per invoke (tests/local/sandbox covers those)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from infra.local.sandbox.environment import FunctionConfig
from infra.local.sandbox.process import Outcome
from infra.local.sandbox.worker import UNHANDLED, error_envelope

Code = Callable[[dict[str, Any]], Any]


class InProcessRunner:
    def __init__(self, code: dict[str, Code] | None = None) -> None:
        self.code: dict[str, Code] = dict(code or {})
        """Handler string -> what it runs."""
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def invoke(self, fn: FunctionConfig, event: bytes, request_id: str | None = None) -> Outcome:
        payload = json.loads(event) if event else {}
        with self._lock:
            self.calls.append((fn.name, payload))
        try:
            result = self.code[fn.handler](payload)
        except Exception as error:
            return Outcome(error_envelope(error, request_id or "-"), UNHANDLED, 1.0, 1.0, None)
        return Outcome(json.dumps(result).encode(), None, 1.0, 1.0, None)

    def calls_of(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            return [event for called, event in self.calls if called == name]
