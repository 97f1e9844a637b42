"""The domain tests' in-memory world wired into the entry points' composition roots, so handler
tests run the real entry points on the same app the domain tests drive."""

from __future__ import annotations

from infra.wiring import ROOTS, use_app
from tests.domain.support import World

__all__ = ["ROOTS", "use_app", "use_world"]


def use_world(world: World) -> None:
    """Run every entry point on ``world``'s app; ``use_app(None)`` undoes it."""
    use_app(world.app)
