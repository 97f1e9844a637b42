"""Find orders whose workflow stopped without ending them, and set them moving again.

An order is stuck when it is not terminal, has not changed for a while, and no execution of
its workflow is running: its OrderPlaced was never relayed or its start message was
dead-lettered (no execution at all), or its execution failed, timed out or was aborted.
Every repair goes through a path that is safe to take twice: a start named by the order id,
a redrive of the same execution, or a restart whose name is fixed by its attempt number; and
every task of the workflow is idempotent on the provider's side, so no money moves twice.
What has no safe repair is reported for an operator. The decision is ``_diagnose``, one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.commands import Reconcile, StartOrderWorkflow
from domain.ports import (
    Clock,
    OpenOrder,
    OpenOrders,
    OrderRepository,
    WorkflowGateway,
    WorkflowRun,
    WorkflowRuns,
)
from domain.services.start_workflow import start_order_workflow
from domain.status import OrderStatus


class Repair(StrEnum):
    START = "start"
    """No execution: start the one named by the order id."""
    REDRIVE = "redrive"
    """The execution failed, timed out or was aborted: run it again."""
    RESTART = "restart"
    """... and it can no longer be redriven: start a fresh execution of the workflow."""
    REPORT = "report"
    """Nothing is safe to do unasked: an operator looks (``infra.ops order``)."""


@dataclass(frozen=True, slots=True)
class Finding:
    order_id: str
    status: OrderStatus
    updated_at: datetime
    repair: Repair
    why: str
    run: WorkflowRun | None = None


@dataclass(frozen=True, slots=True)
class Reconciliation:
    checked: int
    """Open orders unchanged for the quiet period (the ones looked at)."""
    findings: tuple[Finding, ...]
    applied: bool
    """False for a dry run: nothing was repaired."""
    failures: tuple[tuple[str, str], ...] = ()
    """(order id, error) for each repair that was tried and failed; the next run tries again."""

    @property
    def repaired(self) -> tuple[Finding, ...]:
        failed = {order_id for order_id, _ in self.failures}
        return tuple(
            f
            for f in self.findings
            if self.applied and f.repair is not Repair.REPORT and f.order_id not in failed
        )

    @property
    def for_operator(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.repair is Repair.REPORT)


def find_stuck(
    quiet_for_cutoff: datetime, *, open_orders: OpenOrders, runs: WorkflowRuns
) -> tuple[int, list[Finding]]:
    """How many open orders were quiet since the cutoff, and what is wrong with the stuck ones."""
    running = runs.running()  # one listing, so a healthy order costs no call of its own
    checked, findings = 0, []
    for order in open_orders.open_orders(quiet_for_cutoff):
        checked += 1
        if order.order_id in running:
            continue
        finding = _diagnose(order, runs.latest(order.order_id))
        if finding is not None:
            findings.append(finding)
    return checked, findings


def reconcile(
    cmd: Reconcile,
    *,
    open_orders: OpenOrders,
    runs: WorkflowRuns,
    orders: OrderRepository,
    workflow: WorkflowGateway,
    clock: Clock,
) -> Reconciliation:
    checked, findings = find_stuck(clock.now() - cmd.quiet_for, open_orders=open_orders, runs=runs)
    if cmd.dry_run:
        return Reconciliation(checked, tuple(findings), applied=False)
    failures = []
    for finding in findings:
        try:
            _repair(finding, runs=runs, orders=orders, workflow=workflow)
        except Exception as error:  # one order's failure must not keep the others stuck
            failures.append((finding.order_id, f"{type(error).__name__}: {error}"))
    return Reconciliation(checked, tuple(findings), applied=True, failures=tuple(failures))


def _diagnose(order: OpenOrder, run: WorkflowRun | None) -> Finding | None:
    def found(repair: Repair, why: str) -> Finding:
        return Finding(order.order_id, order.status, order.updated_at, repair, why, run)

    if run is None:
        if order.status is OrderStatus.PLACED:
            return found(
                Repair.START,
                "no execution: its OrderPlaced was not relayed or its start was dead-lettered",
            )
        return found(Repair.REPORT, f"no execution, yet the order is {order.status}")
    if run.status == "RUNNING":
        return None  # started since the listing
    if run.status == "SUCCEEDED":
        return found(Repair.REPORT, f"{run.name} succeeded but left the order {order.status}")
    if run.redrivable:
        return found(Repair.REDRIVE, f"{run.name} is {run.status}")
    return found(Repair.RESTART, f"{run.name} is {run.status} and can no longer be redriven")


def _repair(
    finding: Finding, *, runs: WorkflowRuns, orders: OrderRepository, workflow: WorkflowGateway
) -> None:
    if finding.repair is Repair.START:
        # The starter's own path: it reads the order again and starts only a PLACED one.
        start_order_workflow(StartOrderWorkflow(finding.order_id), orders=orders, workflow=workflow)
    elif finding.repair is Repair.REDRIVE and finding.run is not None:
        runs.redrive(finding.run)
    elif finding.repair is Repair.RESTART and finding.run is not None:
        runs.restart(finding.order_id, finding.run.attempt + 1)
