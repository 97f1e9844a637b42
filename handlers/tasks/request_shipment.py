"""Task RequestShipment (``lambda:invoke.waitForTaskToken``): book the parcel and store the token.

The workflow then waits for the carrier to come for the parcel: its dispatch report resumes
this token (the capture follows), a failed parcel fails it (``record_carrier_update``), and a
customer's cancel fails it with CancellationRequested.
"""

from __future__ import annotations

from domain.commands import RequestShipment
from domain.errors import AddressNotServiceable, CancellationRequested
from domain.order import Order
from domain.services.request_shipment import request_shipment
from handlers.tasks._task import AppPorts, CallbackTaskInput, count, task_handler


def _request(task: CallbackTaskInput, p: AppPorts) -> Order:
    order = request_shipment(
        RequestShipment(task.order_id, wait_token=task.task_token),
        orders=p.orders,
        carrier=p.carrier,
        workflow=p.workflow,
        clock=p.clock,
    )
    count("ShipmentsRequested")
    return order


handler = task_handler(
    CallbackTaskInput, _request, caught=(AddressNotServiceable, CancellationRequested)
)
