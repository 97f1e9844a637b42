"""The composition root's app with no AWS and no network: in-memory adapters and the simulated
providers, for the demo, the benchmark and the tests (``adapters/memory`` is not packaged for
Lambda, so neither is this). The payment provider ages on the app's clock."""

from __future__ import annotations

from typing import Any

from adapters.carrier import SimulatedCarrier
from adapters.catalog import SeededCatalog
from adapters.clock import SystemClock
from adapters.ids import UuidIds
from adapters.memory.idempotency import InMemoryIdempotencyStore
from adapters.memory.recorders import (
    RecordingForwarder,
    RecordingPublisher,
    RecordingRuns,
    RecordingWorkflow,
)
from adapters.memory.repository import InMemoryOrderRepository
from adapters.payments import SimulatedPaymentProvider
from handlers.common.bootstrap import App, Builder
from handlers.common.settings import Settings

BUILDERS: dict[str, Builder] = {
    "orders": lambda app: InMemoryOrderRepository(),
    "customer_orders": lambda app: app.orders,
    "catalog": lambda app: SeededCatalog(),
    "payments": lambda app: SimulatedPaymentProvider(clock=app.clock),
    "carrier": lambda app: SimulatedCarrier(),
    "workflow": lambda app: RecordingWorkflow(),
    "publisher": lambda app: RecordingPublisher(),
    "clock": lambda app: SystemClock(),
    "ids": lambda app: UuidIds(),
    "idempotency_store": lambda app: InMemoryIdempotencyStore(),
    "open_orders": lambda app: app.orders,
    "workflow_runs": lambda app: RecordingRuns(app.workflow),
    "forwarder": lambda app: RecordingForwarder(),
}
IN_MEMORY = Settings(orders_table="in-memory", event_bus_name="in-memory")


def in_memory(settings: Settings = IN_MEMORY, **overrides: Any) -> App:
    """The app every function would get, with no AWS; ``overrides`` swap in ports by name."""
    return App(settings, BUILDERS, overrides)
