"""The Lambda service's pollers: event source mappings delivered at least once, in batches.

- SQS (``sqs_poller.py``): batches of ``BatchSize`` gathered for up to
  ``MaximumBatchingWindowInSeconds``, several at once up to ``ScalingConfig.MaximumConcurrency``;
  with ``ReportBatchItemFailures`` only the successes are deleted, the failures come back after
  the visibility timeout (and reach the DLQ after ``maxReceiveCount``). Messages that match no
  filter are deleted unseen.
- DynamoDB Streams (``stream_poller.py``): per shard, in order, from a saved checkpoint.

They run inside the stack and call the services in-process (as the Lambda service is inside
AWS); the function is invoked through the same path as every other invoke.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger("localstack")
Pattern = Callable[[dict[str, Any]], bool]


class Service(Protocol):
    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]: ...


class Invoke(Protocol):
    def __call__(self, function: str, event: bytes) -> tuple[str | None, bytes]:
        """(function error or None, payload) of a synchronous invoke."""
        ...


@dataclass(frozen=True)
class Mapping:
    uuid: str
    function: str
    source_arn: str
    batch_size: int
    window: float
    report_failures: bool
    filters: tuple[Pattern, ...]
    starting_position: str
    max_retries: int
    concurrency: int
    bisect: bool
    max_record_age: int
    on_failure: str
    """A stream mapping's DestinationConfig.OnFailure queue ARN (empty: none)."""

    @classmethod
    def of(cls, config: dict[str, Any], compile_pattern: Callable[[str], Pattern]) -> Mapping:
        """From a stored mapping (``mappings.Mappings``)."""
        patterns = ((config.get("FilterCriteria") or {}).get("Filters")) or []
        return cls(
            uuid=config["UUID"],
            function=str(config["FunctionArn"]).split(":function:")[-1].split(":")[0],
            source_arn=config["EventSourceArn"],
            batch_size=int(config["BatchSize"]),
            window=float(config.get("MaximumBatchingWindowInSeconds") or 0),
            report_failures="ReportBatchItemFailures"
            in (config.get("FunctionResponseTypes") or ()),
            filters=tuple(
                compile_pattern(
                    p["Pattern"] if isinstance(p["Pattern"], str) else json.dumps(p["Pattern"])
                )
                for p in patterns
            ),
            starting_position=config.get("StartingPosition", "TRIM_HORIZON"),
            max_retries=int(config.get("MaximumRetryAttempts", -1)),
            concurrency=int((config.get("ScalingConfig") or {}).get("MaximumConcurrency") or 0),
            bisect=bool(config.get("BisectBatchOnFunctionError", False)),
            max_record_age=int(config.get("MaximumRecordAgeInSeconds", -1)),
            on_failure=str(
                ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
                    "Destination", ""
                )
            ),
        )

    def accepts(self, view: dict[str, Any]) -> bool:
        return not self.filters or any(f(view) for f in self.filters)


class Poller(threading.Thread):
    def __init__(self, mapping: Mapping, invoke: Invoke, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.mapping, self._invoke = mapping, invoke
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.poll()
            except Exception:  # keep polling, as the service does; the error is in the log
                log.exception("poller for %s failed, retrying", self.mapping.function)
                self.stopping.wait(1.0)

    def poll(self) -> None:
        raise NotImplementedError

    def deliver(self, records: list[dict[str, Any]], ids: list[str]) -> set[str]:
        """Invoke with ``records``; return the ids that failed (all of them on an error)."""
        error, body = self._invoke(self.mapping.function, json.dumps({"Records": records}).encode())
        if error:
            log.warning("%s failed a batch of %d", self.mapping.function, len(ids))
            return set(ids)
        if not self.mapping.report_failures or not body.strip():
            return set()
        try:
            answer = json.loads(body)
            failures = (answer or {}).get("batchItemFailures") or []
            failed = {str(f["itemIdentifier"]) for f in failures}
        except (ValueError, TypeError, KeyError, AttributeError):
            return set(ids)  # an invalid response fails the whole batch
        return failed if failed <= set(ids) else set(ids)
