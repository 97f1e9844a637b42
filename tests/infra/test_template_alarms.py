"""Every alarm's metric can be emitted by some path of the system, and pages only on faults.

An alarm on a metric nothing emits is silence that looks like health (ExecutionsTimedOut with
no TimeoutSeconds could never fire). Per metric, the path that emits it:

- AWS/States: ExecutionsFailed by the Fail state and uncaught errors, ExecutionsTimedOut by the
  definition's own TimeoutSeconds (tests/workflow/test_order_saga.py runs both);
- AWS/SQS: a queue something sends to (a DLQ of a queue, rule, mapping or function);
- AWS/Lambda: a function of the template (IteratorAge: one a stream feeds);
- AWS/ApiGateway: the stage of the template's REST API;
- OrderFlow (Powertools EMF, dimension ``service``): a metric a handler counts, under the
  service name the functions run with (tests/workflow/test_task_handlers.py emits them).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from infra_support import functions, ref_id

from infra.sam_translate import resources_of_type

REPO_ROOT = Path(__file__).resolve().parents[2]
COUNTED = re.compile(r"""(?:count\(|add_metric\(name=)"(\w+)\"""")


def _alarms(cfn: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in resources_of_type(cfn, "AWS::CloudWatch::Alarm").items()}


def _metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    if "MetricName" in alarm:
        return [alarm]
    return [q["MetricStat"]["Metric"] for q in alarm.get("Metrics", []) if "MetricStat" in q]


def _dimension(metric: dict[str, Any], name: str) -> Any:
    return next(d["Value"] for d in metric["Dimensions"] if d["Name"] == name)


def _counted_by_handlers() -> set[str]:
    sources = (REPO_ROOT / "handlers").rglob("*.py")
    return {name for path in sources for name in COUNTED.findall(path.read_text("utf-8"))}


def _queues_sent_to(cfn: dict[str, Any]) -> set[str]:
    """Queues that receive messages: rule targets, DLQs, mapping and function destinations."""
    text = json.dumps(cfn["Resources"])
    queues = resources_of_type(cfn, "AWS::SQS::Queue")
    return {q for q in queues if text.count(f'"{q}"') > 1}


def _why_it_can_fire(cfn: dict[str, Any], metric: dict[str, Any]) -> str | None:
    namespace, name = metric["Namespace"], metric["MetricName"]
    definition = json.loads(
        (REPO_ROOT / "workflows" / "order_saga.asl.json").read_text(encoding="utf-8")
    )
    if namespace == "AWS/States":
        assert ref_id(_dimension(metric, "StateMachineArn")) == "OrderSagaStateMachine"
        if name == "ExecutionsTimedOut":
            return "top-level TimeoutSeconds" if "TimeoutSeconds" in definition else None
        if name == "ExecutionsFailed":
            fails = [s for s in definition["States"].values() if s["Type"] == "Fail"]
            return "a Fail state" if fails else None
    if namespace == "AWS/SQS":
        queue = ref_id(_dimension(metric, "QueueName"))
        return "messages arrive" if queue in _queues_sent_to(cfn) else None
    if namespace == "AWS/Lambda":
        function = ref_id(_dimension(metric, "FunctionName"))
        if function not in functions(cfn):
            return None
        if name == "IteratorAge":
            mappings = resources_of_type(cfn, "AWS::Lambda::EventSourceMapping").values()
            streams = [m for m in mappings if "StreamArn" in json.dumps(m)]
            fed = {ref_id(m["Properties"]["FunctionName"]) for m in streams}
            return "a stream feeds it" if function in fed else None
        return "a function of the template"
    if namespace == "AWS/ApiGateway":
        return (
            "the REST API's stage" if resources_of_type(cfn, "AWS::ApiGateway::RestApi") else None
        )
    if namespace == "OrderFlow":
        envs = [f.get("Environment", {}).get("Variables", {}) for f in functions(cfn).values()]
        assert {e.get("POWERTOOLS_SERVICE_NAME") for e in envs} == {_dimension(metric, "service")}
        return "a handler counts it" if name in _counted_by_handlers() else None
    return None


def test_every_alarms_metric_can_be_emitted_by_some_path(cfn: dict[str, Any]) -> None:
    for alarm_id, alarm in _alarms(cfn).items():
        for metric in _metrics(alarm):
            assert _why_it_can_fire(cfn, metric), f"{alarm_id}: nothing emits {metric}"


def test_a_metric_no_path_emits_is_caught(cfn: dict[str, Any]) -> None:
    """The check can fail: an alarm on a metric nothing counts is refused."""
    never = {"Namespace": "OrderFlow", "MetricName": "Nope", "Dimensions": [
        {"Name": "service", "Value": "orderflow"}]}  # fmt: skip
    assert _why_it_can_fire(cfn, never) is None


@pytest.mark.parametrize(
    ("metric", "why"),
    [
        ("ExecutionsFailed", "a bug, an outage outlasting the retries, CompensationFailed"),
        ("ExecutionsTimedOut", "an order that asked an operator and was left unanswered"),
        ("TaskErrors", "a bug in a saga task"),
        ("OrdersNeedingAttention", "the carrier went silent after a parcel left"),
        ("DeliveredUnpaid", "goods left before a capture that was then refused"),
    ],
)
def test_the_pages_the_saga_asks_for(cfn: dict[str, Any], metric: str, why: str) -> None:
    alarmed = [a for a in _alarms(cfn).values() if a.get("MetricName") == metric]
    assert len(alarmed) == 1, f"one alarm pages on {metric}: {why}"
    assert alarmed[0]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_task_error_alarms_do_not_count_business_outcomes(cfn: dict[str, Any]) -> None:
    """Lambda's Errors of a forward saga step include declines and cancellations: no alarm
    watches them; TaskErrors (faults only) does."""
    forward = {"AuthorizePaymentFunction", "RequestShipmentFunction", "CapturePaymentFunction"}
    for alarm in _alarms(cfn).values():
        for metric in _metrics(alarm):
            if metric["MetricName"] == "Errors":
                assert ref_id(_dimension(metric, "FunctionName")) not in forward
