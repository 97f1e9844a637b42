"""Compensation FailOrder: close the order as FAILED, after the other compensations ran.

It ends the execution SUCCEEDED: the order is FAILED with a reason, compensated.
The reason comes from the error the workflow caught (the Catch's ``ResultPath: $.error``), as a
sentence the customer may read: never the raw cause, which holds a stack trace. A cancelled
order stays cancelled (the service does nothing), and the returned status picks the end state.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.commands import FailOrder
from domain.order import Order
from domain.services.compensations import fail_order
from handlers.tasks._task import AppPorts, TaskInput, count, task_handler

REASONS = {
    "AddressNotServiceable": "the carrier does not deliver to the shipping address",
    "ShipmentFailed": "the carrier could not deliver the parcel",
    "States.Timeout": "the carrier did not come for the parcel in time",
    "PaymentCaptureFailed": "the payment could not be collected",
}


class CaughtError(BaseModel):
    """A Catch's error output: ``{"Error": ..., "Cause": ...}``."""

    error: str = Field(alias="Error", min_length=1, max_length=256)
    cause: str | None = Field(None, alias="Cause")
    """Unused: a Lambda error's cause holds its stack trace. Missing or null is fine: AWS sends
    ``"Cause": null`` when SendTaskFailure gave no cause."""


class FailOrderInput(TaskInput):
    error: CaughtError


def reason_for(error: str) -> str:
    return REASONS.get(error, f"the order could not be completed ({error})")


def _fail(task: FailOrderInput, p: AppPorts) -> Order:
    order = fail_order(
        FailOrder(task.order_id, reason=reason_for(task.error.error)),
        orders=p.orders,
        clock=p.clock,
    )
    count("CompensationsRun", Compensation="FailOrder")
    return order


handler = task_handler(FailOrderInput, _fail)
