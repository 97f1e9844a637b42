"""What the operator CLI reports instead of a traceback, with the exit code it ends with."""

from __future__ import annotations

OK = 0
FAILED = 1
"""The command ran and found a problem: nothing by that id, nothing to retry, a partial redrive."""
USAGE = 2
"""argparse's own code for bad arguments."""
UNAVAILABLE = 3
"""The stack cannot be found or reached: no local-stack.json, no credentials, no endpoint."""


class OpsError(Exception):
    exit_code = FAILED


class NotFound(OpsError):
    pass


class StackUnavailable(OpsError):
    exit_code = UNAVAILABLE
