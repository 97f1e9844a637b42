"""Every function's sandboxes, by function: what the Lambda service runs code with."""

from __future__ import annotations

import threading
from typing import Any

from infra.local.sandbox.environment import FunctionConfig, Surroundings
from infra.local.sandbox.pool import FunctionPool, Report
from infra.local.sandbox.process import Outcome


class Sandboxes:
    """A pool per function, created at its first invoke; a changed configuration (new
    environment, timeout, memory) lets the old sandboxes go, as an update does on Lambda."""

    def __init__(
        self,
        where: Surroundings,
        *,
        local_limit: int = 4,
        idle_seconds: float = 600.0,
        report: Report | None = None,
    ) -> None:
        self.where = where
        self.local_limit = local_limit
        self._idle_seconds = idle_seconds
        self._report = report
        self._pools: dict[str, FunctionPool] = {}
        self._lock = threading.Lock()

    def invoke(self, fn: FunctionConfig, event: bytes, request_id: str | None = None) -> Outcome:
        return self._pool(fn).invoke(event, request_id)

    def _pool(self, fn: FunctionConfig) -> FunctionPool:
        with self._lock:
            pool = self._pools.get(fn.name)
            if pool is not None and pool.fn == fn:
                return pool
            stale, self._pools[fn.name] = (
                pool,
                FunctionPool(
                    fn,
                    self.where,
                    local_limit=self.local_limit,
                    idle_seconds=self._idle_seconds,
                    report=self._report,
                ),
            )
            fresh = self._pools[fn.name]
        if stale is not None:
            stale.close()
        return fresh

    def stats(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            pools = dict(self._pools)
        return {
            name: {
                "sandboxes": p.sandboxes,
                "invocations": p.invocations,
                "coldStarts": p.cold_starts,
                "pids": p.pids(),
            }
            for name, p in pools.items()
        }

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()
