"""The sandboxes of one function: reuse a warm one, start one more while under the limit.

Lambda runs one invoke per execution environment and starts another when all are busy, up to
the function's reserved concurrency (beyond it the invoke is throttled: ``Throttled``). Locally
the machine sets a second, lower limit (``local_limit``): past it an invoke waits for a
sandbox to come free instead of failing, since AWS would have had room. A sandbox that timed
out or crashed is replaced; one idle for ``idle_seconds`` is let go, as Lambda reclaims them.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from infra.local.sandbox.environment import (
    BACKGROUND_NICENESS,
    FunctionConfig,
    Surroundings,
    sandbox_environment,
)
from infra.local.sandbox.process import Outcome, Sandbox, log_file

log = logging.getLogger("localstack.lambda")
Report = Callable[[FunctionConfig, str, Outcome], None]


class Throttled(Exception):
    """Every sandbox the function's reserved concurrency allows is busy (Lambda: 429)."""


class FunctionPool:
    def __init__(
        self,
        fn: FunctionConfig,
        where: Surroundings,
        *,
        local_limit: int,
        idle_seconds: float = 600.0,
        report: Report | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.fn = fn
        self._environment = sandbox_environment(fn, where)
        self._cwd = cwd or where.task_root
        self._log_dir = where.log_dir
        self._niceness = 0 if fn.name in where.foreground else BACKGROUND_NICENESS
        reserved = fn.reserved_concurrency
        self._limit = min(local_limit, reserved) if reserved is not None else local_limit
        self._throttles = reserved is not None and reserved <= local_limit
        self._idle: list[Sandbox] = []
        self._running = 0
        self._free = threading.Condition()
        self._idle_seconds = idle_seconds
        self._report = report
        self._closed = False
        self.cold_starts = 0
        self.invocations = 0

    def invoke(self, event: bytes, request_id: str | None = None) -> Outcome:
        request_id = request_id or str(uuid.uuid4())
        sandbox = self._take()
        try:
            outcome = sandbox.invoke(request_id, event, self.fn.arn)
        finally:
            self._give_back(sandbox)
        self.invocations += 1
        if outcome.init_ms is not None:
            self.cold_starts += 1
        if self._report is not None:
            self._report(self.fn, request_id, outcome)
        return outcome

    def _take(self) -> Sandbox:
        with self._free:
            while True:
                if self._closed:
                    raise Throttled(f"{self.fn.name} is shutting down")
                self._reap_idle()
                if self._idle:
                    self._running += 1
                    return self._idle.pop()
                if self._running < self._limit:
                    self._running += 1
                    break
                if self._throttles:
                    raise Throttled(f"Rate Exceeded: {self.fn.name} is at its concurrency")
                self._free.wait()
        try:  # a cold start, outside the lock: starting a process takes a while
            log = log_file(self._log_dir, self.fn.name) if self._log_dir else None
            return Sandbox(self.fn, self._environment, self._cwd, log, self._niceness)
        except BaseException:
            with self._free:
                self._running -= 1
                self._free.notify()
            raise

    def _give_back(self, sandbox: Sandbox) -> None:
        with self._free:
            self._running -= 1
            if sandbox.alive and not self._closed:
                self._idle.append(sandbox)
            self._free.notify()

    def _reap_idle(self) -> None:
        cutoff = time.monotonic() - self._idle_seconds
        stale = [s for s in self._idle if s.last_used < cutoff]
        for sandbox in stale:
            self._idle.remove(sandbox)
            sandbox.close()

    @property
    def sandboxes(self) -> int:
        with self._free:
            return self._running + len(self._idle)

    def pids(self) -> list[int]:
        with self._free:
            return [s.pid for s in self._idle]

    def close(self) -> None:
        """Let every idle sandbox go; busy ones are killed when their invoke returns."""
        with self._free:
            self._closed = True
            idle, self._idle = self._idle, []
            self._free.notify_all()
        for sandbox in idle:
            sandbox.close()
