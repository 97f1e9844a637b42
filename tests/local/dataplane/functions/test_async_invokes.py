"""Asynchronous invokes: accepted durably, retried as Lambda retries, then dead-lettered."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra.local.dataplane.functions import async_queue
from infra.local.dataplane.functions.service import Functions
from infra.local.dataplane.store import Store
from tests.local.dataplane.functions.conftest import ROLE, Lambda
from tests.support.runners import InProcessRunner


def _eventually(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the bound"
        time.sleep(0.01)


@pytest.fixture(autouse=True)
def no_retry_delays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(async_queue, "RETRY_DELAYS", (0.0, 0.0))


def _dead_letters(service: Functions) -> list[tuple[str, bytes, dict[str, str]]]:
    letters: list[tuple[str, bytes, dict[str, str]]] = []
    service.asynchronous.dead_letter = lambda arn, body, attrs: letters.append((arn, body, attrs))
    return letters


def test_an_event_invoke_is_accepted_then_run(lambda_api: Lambda) -> None:
    ran = threading.Event()
    lambda_api.runner.code["m.h"] = lambda event: ran.set()
    lambda_api.create("f", "m.h")
    lambda_api.service.asynchronous.start()
    try:
        answer = lambda_api.client.invoke(FunctionName="f", InvocationType="Event", Payload=b"{}")
        assert answer["StatusCode"] == 202
        assert ran.wait(10)
        _eventually(lambda: lambda_api.service.asynchronous.pending() == 0)
    finally:
        lambda_api.service.asynchronous.stop()


def test_a_failing_event_is_retried_twice_then_sent_to_the_dead_letter_queue(
    lambda_api: Lambda,
) -> None:
    lambda_api.runner.code["m.h"] = lambda event: (_ for _ in ()).throw(ValueError("no"))
    dlq = "arn:aws:sqs:us-east-1:123456789012:f-dlq"
    lambda_api.create("f", "m.h", DeadLetterConfig={"TargetArn": dlq})
    letters = _dead_letters(lambda_api.service)
    lambda_api.service.asynchronous.start()
    try:
        lambda_api.client.invoke(FunctionName="f", InvocationType="Event", Payload=b'{"n": 7}')
        _eventually(lambda: bool(letters))
    finally:
        lambda_api.service.asynchronous.stop()
    assert len(lambda_api.runner.calls_of("f")) == 3  # the first attempt and two retries
    arn, body, attributes = letters[0]
    assert arn == dlq and json.loads(body) == {"n": 7}
    assert attributes["ErrorMessage"] == "no" and attributes["ErrorCode"] == "200"
    assert lambda_api.service.asynchronous.pending() == 0


def test_maximum_retry_attempts_of_the_event_invoke_config_is_honoured(lambda_api: Lambda) -> None:
    lambda_api.runner.code["m.h"] = lambda event: 1 / 0
    lambda_api.create("f", "m.h", DeadLetterConfig={"TargetArn": "arn:aws:sqs:us-east-1:1:q"})
    lambda_api.client.put_function_event_invoke_config(FunctionName="f", MaximumRetryAttempts=0)
    letters = _dead_letters(lambda_api.service)
    lambda_api.service.asynchronous.start()
    try:
        lambda_api.client.invoke(FunctionName="f", InvocationType="Event", Payload=b"{}")
        _eventually(lambda: bool(letters))
    finally:
        lambda_api.service.asynchronous.stop()
    assert len(lambda_api.runner.calls_of("f")) == 1


def test_an_accepted_event_survives_a_stack_that_dies_before_running_it(tmp_path: Path) -> None:
    database = tmp_path / "stack.db"
    first = Store(database)
    service = Functions(
        first, runner=InProcessRunner(), region="us-east-1", account="1", clock=time.time
    )
    with first.write() as db:
        service.registry.put(db, _config("f"))
    service.invoke_async("f", b'{"order": "o-1"}')  # accepted; the workers never started
    first.close()

    ran: list[dict[str, Any]] = []
    again = Store(database)
    revived = Functions(
        again,
        runner=InProcessRunner({"m.h": ran.append}),
        region="us-east-1",
        account="1",
        clock=time.time,
    )
    revived.asynchronous.start()
    try:
        _eventually(lambda: ran == [{"order": "o-1"}])
    finally:
        revived.asynchronous.stop()
        again.close()


def _config(name: str) -> dict[str, Any]:
    from infra.local.dataplane.functions.registry import configuration

    return configuration(
        {"FunctionName": name, "Handler": "m.h", "Role": ROLE, "Code": {}}, "us-east-1", "1"
    )
