"""Task AskOperator (``lambda:invoke.waitForTaskToken``): the carrier went silent after the
parcel left. The order becomes NEEDS_ATTENTION (``python -m infra.ops order <id>`` shows the
action) and the step waits for the carrier's word; ``OrdersNeedingAttention`` pages."""

from __future__ import annotations

from domain.commands import AskOperator
from domain.order import Order
from domain.services.ask_operator import ask_operator
from handlers.tasks._task import AppPorts, CallbackTaskInput, count, task_handler


def _ask(task: CallbackTaskInput, p: AppPorts) -> Order:
    order = ask_operator(
        AskOperator(task.order_id, wait_token=task.task_token),
        orders=p.orders,
        workflow=p.workflow,
        clock=p.clock,
    )
    count("OrdersNeedingAttention")
    return order


handler = task_handler(CallbackTaskInput, _ask)
