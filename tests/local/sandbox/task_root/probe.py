"""Handlers the sandbox tests run, from a task root of their own (as a deployed zip would be)."""

import os
import sys
import time
from pathlib import Path

CALLS = {"count": 0}
if os.environ.get("PROBE_FAIL_INIT"):
    raise RuntimeError("init failed on purpose")


def state(event, context):
    """Module state and environment, as this sandbox sees them."""
    CALLS["count"] += 1
    return {
        "calls": CALLS["count"],
        "pid": os.getpid(),
        "environment": dict(os.environ),
        "remainingMs": context.get_remaining_time_in_millis(),
        "arn": context.invoked_function_arn,
        "requestId": context.aws_request_id,
        "path": sys.path,
    }


def rendezvous(event, context):
    """Waits (bounded) until ``event["expect"]`` invokes are inside at once: only concurrent
    sandboxes get there."""
    folder = Path(event["folder"])
    (folder / str(os.getpid())).touch()
    deadline = time.monotonic() + event.get("patience", 20)
    while len(list(folder.iterdir())) < event["expect"]:
        if time.monotonic() > deadline:
            return {"met": False, "pid": os.getpid()}
        time.sleep(0.01)
    return {"met": True, "pid": os.getpid()}


def sleep(event, context):
    time.sleep(event["seconds"])
    return {"slept": event["seconds"], "pid": os.getpid()}


class PaymentDeclined(Exception):
    pass


def decline(event, context):
    raise PaymentDeclined("card declined")


def exit_abruptly(event, context):
    os._exit(3)


def imports_the_stack(event, context):
    import infra.local.stack  # noqa: F401  # not deployed: must fail as on Lambda

    return {}
