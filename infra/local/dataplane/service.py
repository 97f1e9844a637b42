"""What every emulated service is to the server and to the stack's in-process callers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from infra.local.dataplane.errors import unknown_operation

Params = dict[str, Any]


def snake(operation: str) -> str:
    """``SendMessageBatch`` -> ``send_message_batch``: the method that implements it."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


class JsonService:
    """A service spoken as AWS JSON 1.0/1.1 (``X-Amz-Target: <prefix>.<Operation>``).

    Each operation in ``OPERATIONS`` is the method of the same name in snake case, taking the
    request's parameters and returning the response's, both as the wire's JSON (timestamps as
    epoch seconds). In-process callers use ``call`` too: one code path for every caller.
    """

    NAME: ClassVar[str]
    TARGET_PREFIX: ClassVar[str]
    JSON_VERSION: ClassVar[str] = "1.0"
    OPERATIONS: ClassVar[frozenset[str]] = frozenset()
    BLOCKING: ClassVar[frozenset[str]] = frozenset()
    """Operations that may wait (a long poll): the server runs them off its event loop."""

    def blocks(self, operation: str, params: Params) -> bool:
        """Whether this call may wait: the server then runs it on a worker thread, not on
        its event loop. A service may look at the parameters (a short poll never waits)."""
        return operation in self.BLOCKING

    def call(self, operation: str, params: Params) -> Params:
        if operation not in self.OPERATIONS:
            raise unknown_operation(self.NAME, operation)
        method: Callable[[Params], Params] = getattr(self, snake(operation))
        return method(params)
