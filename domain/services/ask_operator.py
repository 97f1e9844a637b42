"""The carrier went silent after the parcel left: the order asks an operator (never a void or
a refund for a parcel that may still arrive), and the step waits for the carrier's word, which
an operator can also put on the bus."""

from __future__ import annotations

from domain.commands import AskOperator
from domain.order import Order
from domain.ports import Clock, OrderRepository, WorkflowGateway
from domain.services._saving import apply_and_save
from domain.services._signals import signal_workflow


def ask_operator(
    cmd: AskOperator, *, orders: OrderRepository, workflow: WorkflowGateway, clock: Clock
) -> Order:
    def escalate(o: Order) -> None:
        now = clock.now()
        o.ask_operator(now)
        o.await_carrier(cmd.wait_token, now)

    order = apply_and_save(orders, orders.get(cmd.order_id), escalate)
    signal_workflow(order, workflow)  # late news that came in meanwhile ends the wait now
    return order
