"""What the cold-start work promises (make bench measures how much it saves): with Lambda's
environment, importing a handler imports neither boto3 nor the X-Ray SDK nor the resolvers it
does not use, and leaves garbage collection on, with the import's objects frozen; the lazy
pieces still behave as the libraries do when first used; SnapStart's hooks do their part."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from handlers.common import init_phase, snapstart
from infra.bench.template import functions, lambda_environment

REPO = Path(__file__).resolve().parents[2]
_PROBE = """
import gc, json, sys, importlib
module = importlib.import_module(sys.argv[1])
loaded = {name: name in sys.modules for name in sys.argv[2:]}
print(json.dumps({"loaded": loaded, "gc": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""
NOT_AT_IMPORT = (
    "boto3",
    "aws_xray_sdk",
    "aws_lambda_powertools.event_handler.appsync",
    "aws_lambda_powertools.event_handler.bedrock_agent",
    "aws_lambda_powertools.utilities.idempotency.persistence.dynamodb",
)


def _run(code: str, env: dict[str, str], *argv: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize(
    "function", ["ApiFunction", "AuthorizePaymentFunction", "UpstreamEventsFunction"]
)
def test_a_handler_imports_only_what_init_needs(function: str) -> None:
    fn = next(f for f in functions() if f.logical_id == function)
    found = _run(_PROBE, lambda_environment(fn), fn.module, *NOT_AT_IMPORT)
    assert found["loaded"] == dict.fromkeys(NOT_AT_IMPORT, False)
    assert found["gc"] is True and found["frozen"] > 10_000


_LAZY = """
import json
import handlers  # registers the lazy packages
import aws_lambda_powertools.event_handler as package
from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler import Response as reexported, content_types
lazy = "__getattr__" in vars(package)
from aws_lambda_powertools.event_handler import AppSyncResolver  # from its module only
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
still = "__getattr__" in vars(package)
everything = package.__all__  # runs the real __init__
print(json.dumps({"same": reexported is Response, "lazy_before": lazy, "still": still,
                  "lazy_after": "__getattr__" in vars(package) or "Request" not in everything,
                  "names": [AppSyncResolver.__name__, DynamoDBPersistenceLayer.__name__,
                            content_types.APPLICATION_JSON]}))
"""


def test_lazy_packages_answer_every_name_as_the_real_init_does() -> None:
    found = _run(_LAZY, {})
    assert found == {
        "same": True,
        "lazy_before": True,
        "still": True,
        "lazy_after": False,
        "names": ["AppSyncResolver", "DynamoDBPersistenceLayer", "application/json"],
    }


_XRAY = """
import json, sys
import handlers.tasks.void_payment
from handlers.common.observability import tracer
before = "aws_xray_sdk" in sys.modules
with tracer.provider.in_subsegment("## probe") as subsegment:
    pass
from aws_xray_sdk.core import xray_recorder
print(json.dumps({"before": before, "after": "aws_xray_sdk" in sys.modules,
                  "streaming": xray_recorder.streaming_threshold}))
"""


def test_the_x_ray_sdk_arrives_with_the_first_traced_call() -> None:
    fn = next(f for f in functions() if f.logical_id == "VoidPaymentFunction")
    env = {**lambda_environment(fn), "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR"}
    assert _run(_XRAY, env) == {"before": False, "after": True, "streaming": 0}


def test_outside_lambda_collection_is_never_held(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("_HANDLER", raising=False)
    init_phase.hold()
    assert init_phase._held is False
    init_phase.release()  # nothing held: nothing frozen or changed


def test_snapstart_primes_in_init_and_repairs_after_restore(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hooks: list[Any] = []
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_after_restore = hooks.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    closed: list[bool] = []
    monkeypatch.setattr("adapters.aws.clients.close_connections", lambda: closed.append(True))
    primed: list[bool] = []

    monkeypatch.delenv("AWS_LAMBDA_INITIALIZATION_TYPE", raising=False)
    assert snapstart.prepare(lambda: primed.append(True)) is False
    assert (primed, hooks) == ([], [])

    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")
    assert snapstart.prepare(lambda: primed.append(True)) is True
    assert primed == [True] and hooks == [snapstart.after_restore]
    random.seed(7)
    copy = random.random()
    random.seed(7)
    hooks[0]()
    assert closed == [True] and random.random() != copy  # reseeded
