"""``executions`` and ``execution``: lists, follow, timelines, on real moto executions."""

from __future__ import annotations

import json

import pytest
from ops_stack import PERSONAL_VALUES, Stack

from infra.ops import executions


def test_executions_lists_every_execution_newest_first(stack: Stack) -> None:
    for arn in [stack.start("o-ok"), stack.start("o-declined", "decline")]:
        stack.settle(arn)
    code, out = stack.run("executions")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == [
        "NAME",
        "(order",
        "id)",
        "STATUS",
        "STARTED",
        "(UTC)",
        "STOPPED",
        "(UTC)",
        "TOOK",
    ]
    assert [row.split()[:2] for row in rows] == [["o-declined", "FAILED"], ["o-ok", "SUCCEEDED"]]


def test_executions_filter_by_status_and_json(stack: Stack) -> None:
    for arn in [stack.start("o-ok"), stack.start("o-declined", "decline")]:
        stack.settle(arn)
    code, out = stack.run("executions", "--status", "failed", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [(e["name"], e["status"], e["orderId"]) for e in listed] == [
        ("o-declined", "FAILED", "o-declined")
    ]
    assert listed[0]["start"].endswith("Z") and listed[0]["stop"]
    assert stack.run("executions", "--status", "aborted") == (0, "no ABORTED executions\n")


def test_follow_shows_new_executions_and_status_changes(stack: Stack) -> None:
    waiting = stack.start("o-wait", "wait")
    stack.settle(waiting, "waiting")

    def between_rounds(seconds: float) -> None:  # the carrier answers; another order arrives
        message = stack.client("sqs").receive_message(QueueUrl=stack.carrier_queue)["Messages"][0]
        token = json.loads(message["Body"])["taskToken"]
        stack.client("stepfunctions").send_task_success(taskToken=token, output="{}")
        stack.settle(stack.start("o-new"))
        stack.settle(waiting)

    seen = list(executions.follow(stack.target, None, 0.0, sleep=between_rounds, rounds=2))
    lines = [line for _, line in seen]
    assert lines[0].endswith("o-wait  RUNNING")
    assert any(line.endswith("o-new  SUCCEEDED") for line in lines[1:])
    change = next(c for c, line in seen if "->" in line)
    assert (change["name"], change["previousStatus"], change["status"]) == (
        "o-wait",
        "RUNNING",
        "SUCCEEDED",
    )


def test_a_failed_execution_reads_as_a_timeline(stack: Stack) -> None:
    stack.settle(stack.start("o-declined", "decline"))
    code, out = stack.run("execution", "o-declined")
    assert code == 0
    assert out.startswith("Execution o-declined  FAILED  (order o-declined)")
    assert "  error PaymentDeclined: card declined" in out
    steps = [line.split(maxsplit=1)[1] for line in out.splitlines() if line[2:3].isdigit()]
    assert [s.split("  ")[0] for s in steps] == [
        "execution started",
        "> AuthorizePayment (Pass)",
        "< AuthorizePayment",
        "> Route (Choice)",
        "< Route",
        "> PaymentDeclined (Fail)",
        "execution failed: PaymentDeclined: card declined",
    ]
    assert 'out {"payment":{"status":"AUTHORIZED"}}  (5 unchanged)' in out


def test_personal_data_never_leaves_the_timeline(stack: Stack) -> None:
    stack.settle(stack.start("o-declined", "decline"))
    for argv in (["execution", "o-declined"], ["execution", "o-declined", "--json"]):
        code, out = stack.run(*argv)
        assert code == 0
        assert "<redacted>" in out
        for value in PERSONAL_VALUES:
            assert value not in out


def test_a_task_token_wait_says_who_it_waits_for(stack: Stack) -> None:
    stack.settle(stack.start("o-wait", "wait"), "waiting")
    code, out = stack.run("execution", "o-wait")
    assert code == 0
    now = out.splitlines()[-1]
    assert now.startswith("  now: waiting for the carrier in RequestShipment since ")
    assert now.endswith("(task token, heartbeat every 1 h 0 min, times out after 14 d 0 h)")
    message = stack.client("sqs").receive_message(QueueUrl=stack.carrier_queue)["Messages"][0]
    token = json.loads(message["Body"])["taskToken"]
    data = json.loads(stack.run("execution", "o-wait", "--json")[1])
    assert token not in json.dumps(data) and token not in out
    assert data["waiting"]["kind"] == "task-token"
    assert data["waiting"]["heartbeatSeconds"] == 3600


def test_retries_and_their_failures_are_shown(stack: Stack) -> None:
    stack.settle(stack.start("o-flaky", "flaky"))
    code, out = stack.run("execution", "o-flaky")
    assert code == 0
    failures = [line for line in out.splitlines() if "! Flaky attempt" in line]
    assert len(failures) == 2 and "SQS.SdkClientException" in failures[0]
    assert any("retry 1 of Flaky after 1." in line for line in out.splitlines())


def test_execution_by_arn(stack: Stack) -> None:
    arn = stack.start("o-ok")
    stack.settle(arn)
    code, out = stack.run("execution", arn, "--json")
    assert (code, json.loads(out)["execution"]["arn"]) == (0, arn)


def test_unknown_execution_is_exit_1(stack: Stack, capsys: object) -> None:
    code, out = stack.run("execution", "o-nobody")
    assert (code, out) == (1, "")


def test_the_newest_n_ask_only_for_the_pages_they_need(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("o-a", "o-b", "o-c"):
        stack.settle(stack.start(name))
    monkeypatch.setattr(executions, "LIST_PAGE", 1)
    calls: list[str] = []
    sfn = stack.client("stepfunctions")
    sfn.meta.events.register("before-call.sfn.ListExecutions", lambda **_: calls.append("list"))
    try:
        newest = executions.listed(stack.target, limit=2)
    finally:
        sfn.meta.events.unregister("before-call.sfn.ListExecutions")
    assert [e.name for e in newest] == ["o-c", "o-b"]
    assert len(calls) == 2
    assert [e.name for e in executions.listed(stack.target)] == ["o-c", "o-b", "o-a"]


def test_the_json_timeline_says_each_step_and_how_long_a_state_took(stack: Stack) -> None:
    stack.settle(stack.start("o-declined", "decline"))
    steps = json.loads(stack.run("execution", "o-declined", "--json")[1])["timeline"]
    assert [s["text"] for s in steps][:2] == ["execution started", "> AuthorizePayment (Pass)"]
    exited = [s for s in steps if s["kind"] == "exited"]
    assert [s["state"] for s in exited] == ["AuthorizePayment", "Route"]
    assert all(0 <= s["seconds"] < 10 for s in exited)
