"""Long polls: a waiting ReceiveMessage returns when a message arrives or becomes visible,
or when its wait time has passed, and never before. Time is the test's clock: a poll that
nothing wakes would wait forever, so each test proves what woke it (bounded joins)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqs_world import World, bodies

JOIN = 10.0
"""Real seconds a test waits for a poll it has woken; a poll not woken never returns."""


class Poll:
    def __init__(self, world: World, **params: Any) -> None:
        self.answer: dict[str, Any] | None = None
        self._client = world.served.client("sqs")
        self._thread = threading.Thread(target=self._run, kwargs=params, daemon=True)

    def _run(self, **params: Any) -> None:
        self.answer = self._client.receive_message(**params)

    def start(self) -> None:
        self._thread.start()

    def result(self) -> dict[str, Any]:
        self._thread.join(JOIN)
        assert not self._thread.is_alive(), "the long poll was not woken"
        assert self.answer is not None
        return self.answer

    def still_waiting(self) -> bool:
        self._thread.join(0.05)
        return self._thread.is_alive()


@contextmanager
def waiting(world: World, count: int = 1, **params: Any) -> Iterator[list[Poll]]:
    """``count`` long polls started and known to be waiting (each one's first wait began)."""
    waiters: set[int] = set()
    all_waiting = threading.Event()
    original = world.service.waiters.wait

    def noted(queue_id: int, seen: int, timeout: float) -> None:
        waiters.add(threading.get_ident())  # one endpoint worker thread per poll
        if len(waiters) >= count:
            all_waiting.set()
        original(queue_id, seen, timeout)

    world.service.waiters.wait = noted  # type: ignore[method-assign]
    polls = [Poll(world, **params) for _ in range(count)]
    for poll in polls:
        poll.start()
    assert all_waiting.wait(JOIN), "the polls never started waiting"
    try:
        yield polls
    finally:
        world.service.waiters.wait = original  # type: ignore[method-assign]


def test_a_send_wakes_a_waiting_poll(world: World) -> None:
    url = world.queue("q")
    with waiting(world, QueueUrl=url, WaitTimeSeconds=20) as (poll,):
        assert poll.still_waiting()
        world.sqs.send_message(QueueUrl=url, MessageBody="hello")
        assert bodies(poll.result()) == ["hello"]


def test_a_send_to_another_queue_does_not_end_the_poll(world: World) -> None:
    url, other = world.queue("q"), world.queue("other")
    with waiting(world, QueueUrl=url, WaitTimeSeconds=20) as (poll,):
        world.sqs.send_message(QueueUrl=other, MessageBody="not for you")
        assert poll.still_waiting()
        world.sqs.send_message(QueueUrl=url, MessageBody="for you")
        assert bodies(poll.result()) == ["for you"]


def test_a_message_becoming_visible_wakes_the_poll(world: World) -> None:
    url = world.queue("q", VisibilityTimeout="30")
    world.sqs.send_message(QueueUrl=url, MessageBody="retry me")
    world.sqs.receive_message(QueueUrl=url)
    with waiting(world, QueueUrl=url, WaitTimeSeconds=20) as (poll,):
        world.clock.advance(15)
        assert poll.still_waiting()
        world.clock.advance(15)
        assert bodies(poll.result()) == ["retry me"]


def test_a_delayed_message_wakes_the_poll_when_its_delay_ends(world: World) -> None:
    url = world.queue("q")
    world.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=10)
    with waiting(world, QueueUrl=url, WaitTimeSeconds=20) as (poll,):
        world.clock.advance(10)
        assert bodies(poll.result()) == ["later"]


def test_visibility_set_to_zero_wakes_the_poll(world: World) -> None:
    url = world.queue("q")
    world.sqs.send_message(QueueUrl=url, MessageBody="back")
    handle = world.sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    with waiting(world, QueueUrl=url, WaitTimeSeconds=20) as (poll,):
        world.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
        assert bodies(poll.result()) == ["back"]


def test_the_poll_ends_empty_when_its_wait_time_has_passed(world: World) -> None:
    url = world.queue("q")
    with waiting(world, QueueUrl=url, WaitTimeSeconds=5) as (poll,):
        world.clock.advance(4)
        assert poll.still_waiting()
        world.clock.advance(1)
        assert "Messages" not in poll.result()


def test_the_queue_default_wait_applies_when_none_is_given(world: World) -> None:
    url = world.queue("q", ReceiveMessageWaitTimeSeconds="20")
    with waiting(world, QueueUrl=url) as (poll,):
        world.sqs.send_message(QueueUrl=url, MessageBody="x")
        assert bodies(poll.result()) == ["x"]
    assert "Messages" not in world.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)


def test_one_message_wakes_one_of_several_polls_and_the_rest_keep_waiting(world: World) -> None:
    url = world.queue("q")
    with waiting(world, 3, QueueUrl=url, WaitTimeSeconds=20) as polls:
        world.sqs.send_message(QueueUrl=url, MessageBody="only one")
        world.clock.advance(20)  # ends the others, empty
        answers = [bodies(poll.result()) for poll in polls]
    assert sorted(answers) == [[], [], ["only one"]]


@pytest.mark.parametrize("wait", [-1, 21])
def test_wait_time_limits(world: World, wait: int) -> None:
    url = world.queue("q")
    with pytest.raises(world.sqs.exceptions.ClientError) as error:
        world.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=wait)
    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_only_a_long_poll_is_run_off_the_event_loop(world: World) -> None:
    short = world.queue("short")
    long = world.queue("long", ReceiveMessageWaitTimeSeconds="5")
    blocks = world.service.blocks
    assert not blocks("ReceiveMessage", {"QueueUrl": short})
    assert not blocks("ReceiveMessage", {"QueueUrl": long, "WaitTimeSeconds": 0})
    assert blocks("ReceiveMessage", {"QueueUrl": long})
    assert blocks("ReceiveMessage", {"QueueUrl": short, "WaitTimeSeconds": 1})
    assert not blocks("SendMessage", {"QueueUrl": long})
    assert not blocks("ReceiveMessage", {"QueueUrl": "http://localhost/123456789012/nope"})
