"""The domain tests' in-memory world wired into the handlers' composition root, so handler
tests run the real entry points on the same fakes the domain tests check."""

from __future__ import annotations

from adapters.ids import SequentialIds
from handlers.common import bootstrap
from tests.domain.support import World


def use_world(world: World, ids_prefix: str = "id") -> None:
    """Make ``bootstrap.ports()`` answer with ``world``'s adapters; ``bootstrap.use(None)``
    undoes it."""
    bootstrap.use(
        bootstrap.Ports(
            orders=world.orders,
            customer_orders=world.orders,
            catalog=world.catalog,
            payments=world.payments,
            carrier=world.carrier,
            workflow=world.workflow,
            publisher=world.publisher,
            clock=world.clock,
            ids=SequentialIds(ids_prefix),
        )
    )
