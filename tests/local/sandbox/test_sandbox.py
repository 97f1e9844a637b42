"""One process per sandbox: isolation, reuse, concurrency, Lambda's answers to failures."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from infra.local.sandbox.pool import Throttled
from infra.local.sandbox.report import report_line
from tests.local.sandbox.conftest import Pools, function


def _answer(outcome: Any) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(outcome.payload)
    return found


def test_a_warm_sandbox_keeps_its_module_state_and_a_cold_start_says_so(pools: Pools) -> None:
    pool = pools("state")
    first, second = pool.invoke(b"{}"), pool.invoke(b"{}")
    assert first.init_ms is not None and second.init_ms is None  # cold, then warm
    assert _answer(first)["pid"] == _answer(second)["pid"]
    assert [_answer(first)["calls"], _answer(second)["calls"]] == [1, 2]
    assert pool.cold_starts == 1


def test_functions_share_no_module_state_and_no_environment(pools: Pools) -> None:
    one = pools("state", name="one", environment={"ONLY_ONE": "1"})
    two = pools("state", name="two", environment={"ONLY_TWO": "2"})
    a, b = _answer(one.invoke(b"{}")), _answer(two.invoke(b"{}"))
    assert a["pid"] != b["pid"]
    assert a["calls"] == b["calls"] == 1
    assert a["environment"]["ONLY_ONE"] == "1" and "ONLY_TWO" not in a["environment"]
    assert b["environment"]["ONLY_TWO"] == "2" and "ONLY_ONE" not in b["environment"]


def test_the_environment_is_lambdas_and_the_functions_only(
    pools: Pools, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERFLOW_LOCAL_TOKEN_SECRET", "the stack's own")
    monkeypatch.setenv("AWS_PROFILE", "someone-real")
    seen = _answer(pools("state", memory_mb=256, environment={"TABLE": "t"}).invoke(b"{}"))
    environment = seen["environment"]
    assert "ORDERFLOW_LOCAL_TOKEN_SECRET" not in environment and "AWS_PROFILE" not in environment
    assert environment["TABLE"] == "t"
    assert environment["AWS_LAMBDA_FUNCTION_NAME"] == "state"
    assert environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert environment["_HANDLER"] == "probe.state"
    assert environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert seen["arn"] == function("state").arn
    assert 0 < seen["remainingMs"] <= 3000


def test_only_the_deployed_packages_are_importable(pools: Pools) -> None:
    outcome = pools("imports_the_stack").invoke(b"{}")
    assert outcome.function_error == "Unhandled"
    assert _answer(outcome)["errorType"] == "ModuleNotFoundError"


def test_an_exception_is_lambdas_envelope_named_by_its_class(pools: Pools) -> None:
    outcome = pools("decline").invoke(b"{}", request_id="req-1")
    envelope = _answer(outcome)
    assert outcome.function_error == "Unhandled" and outcome.status == "error"
    assert envelope["errorType"] == "PaymentDeclined"
    assert envelope["errorMessage"] == "card declined"
    assert envelope["requestId"] == "req-1"


def test_past_its_timeout_an_invoke_ends_as_lambda_ends_it_and_the_sandbox_is_replaced(
    pools: Pools,
) -> None:
    pool = pools("sleep", timeout_seconds=1.0)
    before = _answer(pool.invoke(b'{"seconds": 0}'))["pid"]
    outcome = pool.invoke(b'{"seconds": 30}', request_id="slow-1")
    assert outcome.status == "timeout" and outcome.function_error == "Unhandled"
    assert _answer(outcome) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": "RequestId: slow-1 Error: Task timed out after 1.00 seconds",
    }
    after = pool.invoke(b'{"seconds": 0}')
    assert after.init_ms is not None and _answer(after)["pid"] != before


def test_a_runtime_that_dies_is_an_exit_error_and_is_replaced(pools: Pools) -> None:
    pool = pools("exit_abruptly")
    outcome = pool.invoke(b"{}")
    assert outcome.status == "crash"
    assert _answer(outcome)["errorType"] == "Runtime.ExitError"
    assert pool.sandboxes == 0


def test_a_failed_init_fails_the_invoke_and_the_next_one_starts_afresh(pools: Pools) -> None:
    pool = pools("state", environment={"PROBE_FAIL_INIT": "1"})
    for _ in range(2):
        outcome = pool.invoke(b"{}")
        assert outcome.function_error == "Unhandled"
        assert _answer(outcome)["errorType"] == "RuntimeError"
        assert outcome.init_ms is not None  # each one a cold start: a failed init is not kept


def test_concurrent_invokes_run_in_sandboxes_of_their_own(pools: Pools, tmp_path: Path) -> None:
    pool = pools("rendezvous", local_limit=3, timeout_seconds=30.0)
    event = json.dumps({"folder": str(tmp_path), "expect": 3}).encode()
    with ThreadPoolExecutor(3) as run:
        answers = [_answer(o) for o in run.map(lambda _: pool.invoke(event), range(3))]
    assert all(a["met"] for a in answers), answers
    assert len({a["pid"] for a in answers}) == 3


def test_past_the_local_limit_an_invoke_waits_for_a_free_sandbox(
    pools: Pools, tmp_path: Path
) -> None:
    pool = pools("rendezvous", local_limit=1, timeout_seconds=30.0)
    event = json.dumps({"folder": str(tmp_path), "expect": 1}).encode()
    with ThreadPoolExecutor(4) as run:
        answers = [_answer(o) for o in run.map(lambda _: pool.invoke(event), range(4))]
    assert len({a["pid"] for a in answers}) == 1  # one sandbox, taking turns
    assert pool.sandboxes == 1


def test_reserved_concurrency_throttles_what_it_does_not_allow(
    pools: Pools, tmp_path: Path
) -> None:
    pool = pools("rendezvous", local_limit=4, reserved_concurrency=1, timeout_seconds=30.0)
    inside = threading.Event()
    event = json.dumps({"folder": str(tmp_path), "expect": 2, "patience": 3}).encode()

    def first() -> Any:
        inside.set()
        return pool.invoke(event)

    with ThreadPoolExecutor(1) as run:
        busy = run.submit(first)
        inside.wait(5)
        while not list(tmp_path.iterdir()):  # the first invoke is inside its sandbox
            threading.Event().wait(0.01)
        with pytest.raises(Throttled):
            pool.invoke(event)
        assert _answer(busy.result())["met"] is False  # alone: nobody else was let in


def test_the_report_line_is_lambdas() -> None:
    from infra.local.sandbox.process import Outcome

    fn = function("state", memory_mb=512)
    cold = Outcome(b"{}", None, 12.345, 70.2, 812.5)
    line = report_line(fn, "req-9", cold)
    assert line.split("\t") == [
        "REPORT RequestId: req-9",
        "Duration: 12.35 ms",
        "Billed Duration: 825 ms",
        "Memory Size: 512 MB",
        "Max Memory Used: 71 MB",
        "Init Duration: 812.50 ms",
    ]
    timed_out = Outcome(b"{}", "Unhandled", 1000.0, 0.0, None, "timeout")
    assert report_line(fn, "r", timed_out).endswith("\tStatus: timeout")
