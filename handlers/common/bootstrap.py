"""The composition root: the one place that picks an adapter for every port.

``bootstrap(settings, **overrides)`` builds what one function needs: an ``App`` whose ports
are built on first use (so importing a handler costs nothing, and a request that needs no AWS
client creates none), with the use cases bound to them (``handlers.common.use_cases``).
``infra.in_memory.in_memory(**overrides)`` builds the same app on in-memory adapters and the
simulated providers (the demo, the benchmark and the tests; not packaged for Lambda).
Each entry point holds its function's app in a ``handlers.common.root.FunctionRoot``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from domain.ports import IdGenerator
from handlers.common import adapters_aws
from handlers.common.settings import Settings
from handlers.common.use_cases import UseCases

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer

Builder = Callable[["App"], Any]
PORTS = frozenset(adapters_aws.BUILDERS)


class App(UseCases):
    """One function's adapters and use cases. A port is built when first asked for."""

    ids: IdGenerator
    idempotency_store: BasePersistenceLayer

    def __init__(
        self, settings: Settings, builders: Mapping[str, Builder], overrides: Mapping[str, Any]
    ) -> None:
        unknown = set(overrides) - PORTS
        if unknown:
            raise TypeError(f"no such port: {', '.join(sorted(unknown))}")
        self.settings = settings
        self._builders = builders
        self.__dict__.update(overrides)

    def __getattr__(self, name: str) -> Any:
        # Only called for a port not built yet (built ones live in the instance's __dict__).
        builder = self.__dict__.get("_builders", {}).get(name)
        if builder is None:
            raise AttributeError(name)
        built = self.__dict__[name] = builder(self)
        return built


def bootstrap(settings: Settings, **overrides: Any) -> App:
    """The function's app on AWS (or the local stack, through AWS_ENDPOINT_URL)."""
    return App(settings, adapters_aws.BUILDERS, overrides)
