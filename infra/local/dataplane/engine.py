"""The data plane assembled: every service on one store, wired to each other as AWS wires them.

EventBridge delivers to SQS, to Lambda (the durable asynchronous queue) and to Step Functions
inside the transaction that accepted the event; Lambda's dead letters and its pollers use SQS
and DynamoDB Streams in-process; Step Functions' Lambda Tasks invoke through the same
``Functions.invoke`` as the API gateway and the pollers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from infra.local.dataplane.dynamodb import DynamoDB, DynamoDBStreams
from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.events import Events
from infra.local.dataplane.events.delivery import DeliveryFailed, LocalDelivery
from infra.local.dataplane.events.pattern import compiled as compile_pattern
from infra.local.dataplane.events.schedules import Scheduler
from infra.local.dataplane.functions.delivery import MappingPollers
from infra.local.dataplane.functions.invoke import Runner
from infra.local.dataplane.functions.service import Functions
from infra.local.dataplane.secrets import SecretsManager
from infra.local.dataplane.server import Endpoint
from infra.local.dataplane.sqs import Sqs
from infra.local.dataplane.states.service import StepFunctions
from infra.local.dataplane.store import Store

log = logging.getLogger("localstack")
TTL_SWEEP_SECONDS = 60.0
"""How often expired items are deleted (DynamoDB: within a few days; here within a minute)."""


class Engine:
    def __init__(
        self,
        store: Store,
        *,
        runner: Runner,
        endpoint: str,
        region: str,
        account: str,
        clock: Callable[[], float] = time.time,
        local_limit: int = 4,
        visibility_scale: float = 1.0,
    ) -> None:
        self.store, self.clock = store, clock
        self.dynamodb = DynamoDB(store, clock=clock, region=region, account=account)
        self.streams = DynamoDBStreams(store, clock=clock, region=region, account=account)
        self.sqs = Sqs(store, clock=clock, region=region, account=account, endpoint=endpoint)
        self.functions = Functions(
            store, runner=runner, clock=clock, region=region, account=account
        )
        self.states = StepFunctions(store, clock=clock, region=region, account=account)
        self.secrets = SecretsManager(store, clock=clock, region=region, account=account)
        self.events = Events(
            store, clock=clock, region=region, account=account, deliver=_Delivery(self)
        )
        self.functions.asynchronous.dead_letter = self._dead_letter
        self.pollers = MappingPollers(
            self.functions,
            sqs=self.sqs,
            streams=self.streams,
            compile_pattern=compile_pattern,
            local_limit=local_limit,
            visibility_scale=visibility_scale,
            clock=clock,
        )
        self.endpoint = Endpoint(
            [self.dynamodb, self.streams, self.sqs, self.events, self.states, self.secrets],
            rest=[self.functions],
            stats=self.stats,
        )
        self._runner = runner
        self.scheduler = Scheduler(self.events, clock=clock)
        self._sweeping = threading.Event()
        self._sweeper: threading.Thread | None = None

    def start(self) -> dict[str, int]:
        """Start delivering: released in-flight messages, restarted executions, pollers."""
        released = self.sqs.release_in_flight()
        restarted = self.states.resume()
        self.functions.asynchronous.start()
        self.pollers.start()
        self.scheduler.start()
        self._sweeping.clear()
        self._sweeper = threading.Thread(target=self._sweep, name="ddb-ttl", daemon=True)
        self._sweeper.start()
        return {"messagesReleased": released, "executionsRestarted": len(restarted)}

    def stop(self) -> None:
        self._sweeping.set()
        self.scheduler.stop()
        self.pollers.stop()
        self.functions.asynchronous.stop()
        self.states.stop()
        if self._sweeper is not None:
            self._sweeper.join(5)

    def stats(self) -> dict[str, Any]:
        """What the stack is doing now: sandboxes and invokes by function, pending work."""
        sandboxes = getattr(self._runner, "stats", None)
        return {
            "functions": sandboxes() if callable(sandboxes) else {},
            "asyncInvokesPending": self.functions.asynchronous.pending(),
            "executionsRunning": self.states.interpreter.count(),
        }

    def invoke(self, function: str, event: bytes) -> tuple[str | None, bytes]:
        """(function error, payload): the state machines' Lambda Tasks."""
        try:
            result = self.functions.invoke(function, event)
        except AwsError as refused:  # as a Lambda API error reaches a Task: a client error
            error = {"Error": {"Code": refused.code, "Message": refused.message}}
            raise ClientError(error, "Invoke") from None
        return result.function_error, result.payload

    def _dead_letter(self, queue_arn: str, body: bytes, attributes: dict[str, str]) -> None:
        self.sqs.call(
            "SendMessage",
            {
                "QueueUrl": self.sqs.url_of_arn(queue_arn),
                "MessageBody": body.decode(),
                "MessageAttributes": {
                    k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
                },
            },
        )

    def _sweep(self) -> None:
        while not self._sweeping.wait(TTL_SWEEP_SECONDS):
            try:
                self.dynamodb.expire(self.clock())
            except Exception:
                log.exception("deleting expired items failed; trying again later")


class _Delivery(LocalDelivery):
    """EventBridge's targets, inside the transaction that accepted the event: SQS as
    ``LocalDelivery`` sends it, Lambda to the durable asynchronous queue, Step Functions to a
    recorded execution that starts after the commit."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine.store, engine.sqs)
        self._engine = engine

    def to_function(self, function_arn: str, payload: str) -> None:
        try:
            self._engine.functions.invoke_async(function_arn, payload.encode())
        except AwsError as refused:
            raise DeliveryFailed(refused.code, refused.message) from refused

    def to_state_machine(self, state_machine_arn: str, input_json: str, event_id: str) -> None:
        try:
            with self._engine.store.write() as db:
                self._engine.states.start(db, state_machine_arn, event_id, input_json)
        except AwsError as refused:
            raise DeliveryFailed(refused.code, refused.message) from refused
