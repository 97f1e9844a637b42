"""The scheduled reconciler's entry point: a tick repairs stuck orders, says which in its log,
and counts them in OrdersReconciled / OrdersNeedingOperator; a failed repair fails the run."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest

from adapters.memory.recorders import RecordingRuns
from domain.ports import WorkflowRun
from handlers import reconciler
from tests.domain.support import World
from tests.handlers.fakes import FakeLambdaContext

Load = Callable[[str], dict[str, Any]]
TICK = "eventbridge_scheduled_tick.json"


def runs(world: World) -> RecordingRuns:
    found = world.app.workflow_runs
    assert isinstance(found, RecordingRuns)
    return found


def tick(load_event: Load) -> dict[str, Any]:
    return reconciler.handler(load_event(TICK), FakeLambdaContext())


def logged(logs: io.StringIO, message: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in logs.getvalue().splitlines() if line.startswith("{")]
    return [line for line in lines if line["message"] == message]


def test_a_tick_starts_a_stuck_order_and_counts_it(
    world: World,
    load_event: Load,
    emitted_metrics: Callable[[], dict[str, float]],
    logs: io.StringIO,
) -> None:
    stuck = world.place()
    world.clock.advance(minutes=6)
    fresh = world.place()  # 1 s old: on its way, not stuck

    summary = tick(load_event)

    assert summary == {"checked": 1, "repaired": 1, "forOperator": 0, "failed": 0}
    assert list(world.workflow.started) == [stuck.order_id]
    assert fresh.order_id not in world.workflow.started
    metrics = emitted_metrics()
    assert (metrics["OrdersReconciled"], metrics["OrdersNeedingOperator"]) == (1, 0)
    (line,) = logged(logs, "stuck order")
    assert (line["order_id"], line["repair"], line["level"]) == (stuck.order_id, "start", "INFO")


def test_a_quiet_tick_counts_zero(
    world: World, load_event: Load, emitted_metrics: Callable[[], dict[str, float]]
) -> None:
    world.start(world.place().order_id)
    world.clock.advance(hours=1)
    assert tick(load_event)["repaired"] == 0
    metrics = emitted_metrics()
    assert (metrics["OrdersReconciled"], metrics["OrdersNeedingOperator"]) == (0, 0)


def test_what_it_cannot_repair_is_a_warning_and_a_metric(
    world: World,
    load_event: Load,
    emitted_metrics: Callable[[], dict[str, float]],
    logs: io.StringIO,
) -> None:
    order = world.start(world.place().order_id)
    runs(world).close(order.order_id, "SUCCEEDED", redrivable=False)
    world.clock.advance(minutes=6)
    assert tick(load_event)["forOperator"] == 1
    assert emitted_metrics()["OrdersNeedingOperator"] == 1
    (line,) = logged(logs, "stuck order")
    assert (line["repair"], line["level"]) == ("report", "WARNING")
    assert "succeeded but left the order PLACED" in line["why"]


def test_a_failed_repair_fails_the_run_after_the_others_are_done(
    world: World, load_event: Load, monkeypatch: pytest.MonkeyPatch, logs: io.StringIO
) -> None:
    broken, fine = world.place(), world.place()
    for order in (broken, fine):
        world.start(order.order_id)
        runs(world).close(order.order_id, "FAILED")
    world.clock.advance(minutes=6)
    real = runs(world).redrive

    def refuse(run: WorkflowRun) -> None:
        if run.name == broken.order_id:
            raise RuntimeError("ThrottlingException")
        real(run)

    monkeypatch.setattr(runs(world), "redrive", refuse)
    with pytest.raises(reconciler.ReconcileIncomplete, match="1 repairs failed"):
        tick(load_event)
    assert runs(world).redriven == [fine.order_id]
    (line,) = logged(logs, "repair failed")
    assert line["order_id"] == broken.order_id and "ThrottlingException" in line["error"]
