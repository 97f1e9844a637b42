"""The reconciler: which orders are stuck, and the repair of each kind (domain.services.reconcile).

The in-memory app's ``workflow_runs`` sees every execution the workflow recorder started as
running; a test closes one (failed, aborted, ...) as the engine would report it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.recorders import RecordingRuns
from domain.commands import Reconcile
from domain.ports import WorkflowRun
from domain.services.reconcile import Reconciliation, Repair
from domain.status import OrderStatus
from tests.domain.support import World

S = OrderStatus
QUIET = timedelta(minutes=5)


def runs(world: World) -> RecordingRuns:
    found = world.app.workflow_runs
    assert isinstance(found, RecordingRuns)
    return found


def reconcile(world: World, *, dry_run: bool = False) -> Reconciliation:
    return world.app.reconcile(Reconcile(quiet_for=QUIET, dry_run=dry_run))


def test_an_order_whose_start_never_came_is_started(world: World) -> None:
    """The unrelayed outbox record and the dead-lettered start look alike: PLACED, no run."""
    order = world.place()
    world.clock.advance(minutes=6)
    result = reconcile(world)
    assert [(f.order_id, f.repair) for f in result.findings] == [(order.order_id, Repair.START)]
    assert world.workflow.started == {order.order_id: {"orderId": order.order_id}}
    assert result.repaired == result.findings and result.failures == ()


def test_a_repaired_order_is_not_repaired_again(world: World) -> None:
    order = world.place()
    world.clock.advance(minutes=6)
    reconcile(world)
    again = reconcile(world)
    assert again.checked == 1 and again.findings == ()
    assert list(world.workflow.started) == [order.order_id]


def test_a_young_order_is_left_alone(world: World) -> None:
    world.place()
    world.clock.advance(minutes=4)
    result = reconcile(world)
    assert result.checked == 0 and result.findings == ()
    assert world.workflow.started == {}


def test_an_order_with_a_running_execution_is_healthy(world: World) -> None:
    order = world.place()
    world.start(order.order_id)
    world.clock.advance(hours=2)  # a saga waiting for the carrier is quiet for days
    result = reconcile(world)
    assert result.checked == 1 and result.findings == ()


@pytest.mark.parametrize("status", ["FAILED", "TIMED_OUT", "ABORTED"])
def test_a_closed_execution_is_redriven(world: World, status: str) -> None:
    order = world.authorize(world.start(world.place().order_id).order_id)
    runs(world).close(order.order_id, status)
    world.clock.advance(minutes=6)
    result = reconcile(world)
    (finding,) = result.findings
    assert (finding.repair, finding.status) == (Repair.REDRIVE, S.PAYMENT_AUTHORIZED)
    assert status in finding.why
    assert runs(world).redriven == [order.order_id]
    assert reconcile(world).findings == ()  # running again


def test_past_the_redrive_window_a_fresh_execution_starts(world: World) -> None:
    order = world.start(world.place().order_id)
    runs(world).close(order.order_id, "FAILED", redrivable=False)
    world.clock.advance(days=15)
    (finding,) = reconcile(world).findings
    assert finding.repair is Repair.RESTART
    assert "can no longer be redriven" in finding.why
    assert runs(world).restarted == [(order.order_id, 1)]
    assert runs(world).redriven == []


def test_a_failed_retry_is_restarted_as_the_next_attempt(world: World) -> None:
    order = world.start(world.place().order_id)
    retry = WorkflowRun(f"{order.order_id}-retry-2", "ABORTED", False, 2)
    runs(world).closed[order.order_id] = retry
    world.clock.advance(minutes=6)
    reconcile(world)
    assert runs(world).restarted == [(order.order_id, 3)]


def test_what_has_no_safe_repair_is_left_for_an_operator(world: World) -> None:
    succeeded = world.start(world.place().order_id)
    runs(world).close(succeeded.order_id, "SUCCEEDED", redrivable=False)
    authorized = world.authorize(world.place().order_id)  # moved on, yet never had a run
    world.clock.advance(minutes=6)
    result = reconcile(world)
    assert {(f.order_id, f.repair) for f in result.findings} == {
        (succeeded.order_id, Repair.REPORT),
        (authorized.order_id, Repair.REPORT),
    }
    assert result.for_operator == result.findings and result.repaired == ()
    assert runs(world).redriven == [] and runs(world).restarted == []
    assert list(world.workflow.started) == [succeeded.order_id]


@pytest.mark.parametrize("status", [S.COMPLETED, S.CANCELLED, S.FAILED, S.PAYMENT_FAILED])
def test_terminal_orders_are_never_looked_at(world: World, status: OrderStatus) -> None:
    order = world.order_in(status)
    runs(world).close(order.order_id, "FAILED")
    world.clock.advance(days=1)
    result = reconcile(world)
    assert result.checked == 0 and result.findings == ()


def test_a_dry_run_repairs_nothing(world: World) -> None:
    placed = world.place()
    failed = world.start(world.place().order_id)
    runs(world).close(failed.order_id, "FAILED")
    world.clock.advance(minutes=6)
    result = reconcile(world, dry_run=True)
    assert {(f.order_id, f.repair) for f in result.findings} == {
        (placed.order_id, Repair.START),
        (failed.order_id, Repair.REDRIVE),
    }
    assert not result.applied and result.repaired == ()
    assert placed.order_id not in world.workflow.started and runs(world).redriven == []


def test_one_failing_repair_does_not_keep_the_others_stuck(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = world.place(), world.place()
    for order in (first, second):
        world.start(order.order_id)
        runs(world).close(order.order_id, "FAILED")
    world.clock.advance(minutes=6)
    real = runs(world).redrive

    def refuse_first(run: WorkflowRun) -> None:
        if run.name == first.order_id:
            raise RuntimeError("throttled")
        real(run)

    monkeypatch.setattr(runs(world), "redrive", refuse_first)
    result = reconcile(world)
    assert result.failures == ((first.order_id, "RuntimeError: throttled"),)
    assert [f.order_id for f in result.repaired] == [second.order_id]
    assert runs(world).redriven == [second.order_id]
