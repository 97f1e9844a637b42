"""Runs a poller for every enabled event source mapping, and follows their changes."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.functions.pollers import Mapping, Pattern, Poller, Service
from infra.local.dataplane.functions.sqs_poller import SqsPoller
from infra.local.dataplane.functions.stream_poller import StreamPoller

if TYPE_CHECKING:
    from infra.local.dataplane.functions.service import Functions

log = logging.getLogger("localstack")


class MappingPollers:
    def __init__(
        self,
        functions: Functions,
        *,
        sqs: Service,
        streams: Service,
        compile_pattern: Callable[[str], Pattern],
        local_limit: int,
        visibility_scale: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.functions, self.sqs, self.streams = functions, sqs, streams
        self._compile = compile_pattern
        self._local_limit, self._visibility_scale, self._clock = (
            local_limit,
            visibility_scale,
            clock,
        )
        self._running: dict[str, tuple[dict[str, Any], list[Poller]]] = {}
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        self._started = True
        self.functions.mappings.listeners.append(self.reconcile)
        self.reconcile()

    def stop(self) -> None:
        with self._lock:
            self._started = False
            running, self._running = list(self._running.values()), {}
        for _, pollers in running:
            for poller in pollers:
                poller.stop()
        for _, pollers in running:
            for poller in pollers:
                poller.join(10)

    def reconcile(self) -> None:
        with self._lock:
            if not self._started:
                return
            with self.functions.store.read() as db:
                wanted = {
                    m["UUID"]: m
                    for m in self.functions.mappings.all(db)
                    if m.get("State") == "Enabled"
                }
            for uuid in [u for u, (c, _) in self._running.items() if wanted.get(u) != c]:
                for poller in self._running.pop(uuid)[1]:
                    poller.stop()
            for uuid, config in wanted.items():
                if uuid not in self._running:
                    pollers = self._pollers(config)
                    for poller in pollers:
                        poller.start()
                    self._running[uuid] = (config, pollers)

    def _pollers(self, config: dict[str, Any]) -> list[Poller]:
        mapping = Mapping.of(config, self._compile)
        region, account = self.functions.registry.region, self.functions.registry.account
        if mapping.source_arn.startswith("arn:aws:sqs:"):
            count = min(mapping.concurrency or self._local_limit, self._local_limit)
            return [
                SqsPoller(mapping, self._invoke, self.sqs, region, n, self._visibility_scale)
                for n in range(max(1, count))
            ]
        return [
            StreamPoller(
                mapping,
                self._invoke,
                self.streams,
                self.functions.mappings,
                self._send_failure,
                region=region,
                account=account,
                clock=self._clock,
            )
        ]

    def _invoke(self, function: str, event: bytes) -> tuple[str | None, bytes]:
        try:
            result = self.functions.invoke(function, event)
        except AwsError as refused:  # throttled or gone: the batch is retried
            log.warning("%s: %s", function, refused.message)
            return "Unhandled", b"{}"
        return result.function_error, result.payload

    def _send_failure(self, queue_arn: str, body: str) -> None:
        url = self.sqs.call("GetQueueUrl", {"QueueName": queue_arn.split(":")[5]})["QueueUrl"]
        self.sqs.call("SendMessage", {"QueueUrl": url, "MessageBody": body})
