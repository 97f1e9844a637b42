"""At-least-once delivery, designed in: partial batch failures, DLQs, visibility, alarms.

- every SQS / DynamoDB-stream mapping reports failures per record (ReportBatchItemFailures);
- a stream mapping bisects, bounds its retries and keeps what it gives up on;
- every queue with a consumer has a DLQ, a maxReceiveCount, and a visibility timeout of at
  least 6x its consumer's timeout (plus the batching window);
- every EventBridge target has a retry policy and a DLQ; an asynchronously invoked function
  has a DLQ of its own and bounded retries;
- every DLQ has a depth alarm; every function has an error alarm and a throttle alarm.
"""

from __future__ import annotations

import json
from typing import Any

from infra_support import functions, ref_id, target

from infra.sam_translate import resources_of_type


def _mappings(cfn: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        k: v["Properties"]
        for k, v in resources_of_type(cfn, "AWS::Lambda::EventSourceMapping").items()
    }


def _queues(cfn: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        k: v.get("Properties", {}) for k, v in resources_of_type(cfn, "AWS::SQS::Queue").items()
    }


def _source_kind(cfn: dict[str, Any], mapping: dict[str, Any]) -> str:
    source = ref_id(mapping["EventSourceArn"])
    return cfn["Resources"][source]["Type"]


def test_there_are_the_two_mappings(cfn: dict[str, Any]) -> None:
    pairs = {
        (ref_id(m["FunctionName"]), ref_id(m["EventSourceArn"])) for m in _mappings(cfn).values()
    }
    assert pairs == {
        ("WorkflowStarterFunction", "WorkflowStartQueue"),
        ("OutboxRelayFunction", "OrdersTable"),
    }


def test_every_mapping_reports_batch_item_failures(cfn: dict[str, Any]) -> None:
    for name, mapping in _mappings(cfn).items():
        assert "ReportBatchItemFailures" in mapping.get("FunctionResponseTypes", []), name


def test_stream_mapping_is_bounded_and_keeps_failures(cfn: dict[str, Any]) -> None:
    streams = {
        k: m for k, m in _mappings(cfn).items() if _source_kind(cfn, m) == "AWS::DynamoDB::Table"
    }
    assert streams
    for name, mapping in streams.items():
        assert mapping["StartingPosition"] == "TRIM_HORIZON", name
        assert mapping["BisectBatchOnFunctionError"] is True, name
        assert 0 <= mapping["MaximumRetryAttempts"] <= 10_000, name
        destination = ref_id(mapping["DestinationConfig"]["OnFailure"]["Destination"])
        assert destination in _queues(cfn), name


def test_outbox_filter_selects_new_outbox_items_only(cfn: dict[str, Any]) -> None:
    mapping = _mappings(cfn)["OutboxStreamMapping"]
    (only,) = mapping["FilterCriteria"]["Filters"]
    assert json.loads(only["Pattern"]) == {
        "eventName": ["INSERT"],
        "dynamodb": {"Keys": {"SK": {"S": [{"prefix": "EVENT#"}]}}},
    }


def test_consumed_queues_have_dlq_and_six_times_visibility(cfn: dict[str, Any]) -> None:
    queues, lambdas = _queues(cfn), functions(cfn)
    consumed = [m for m in _mappings(cfn).values() if _source_kind(cfn, m) == "AWS::SQS::Queue"]
    assert consumed
    for mapping in consumed:
        queue_id = target(mapping["EventSourceArn"])
        queue = queues[queue_id]
        redrive = queue["RedrivePolicy"]
        assert ref_id(redrive["deadLetterTargetArn"]) in queues, queue_id
        assert 1 <= int(redrive["maxReceiveCount"]) <= 10, queue_id
        timeout = lambdas[target(mapping["FunctionName"])]["Timeout"]
        window = mapping.get("MaximumBatchingWindowInSeconds", 0)
        assert queue["VisibilityTimeout"] >= 6 * timeout + window, queue_id


def test_dlqs_outlive_their_sources(cfn: dict[str, Any]) -> None:
    queues = _queues(cfn)
    for name, dlq in queues.items():
        if name.endswith("DLQ"):
            assert dlq["MessageRetentionPeriod"] == 1_209_600, name


def _bus_rules(cfn: dict[str, Any]) -> dict[str, Any]:
    """The rules that route events (the schedules carry none)."""
    rules = resources_of_type(cfn, "AWS::Events::Rule")
    return {n: r for n, r in rules.items() if "ScheduleExpression" not in r["Properties"]}


def test_rule_targets_retry_and_dead_letter(cfn: dict[str, Any]) -> None:
    rules = _bus_rules(cfn)
    assert set(rules) == {
        "OrderPlacedRule",
        "UpstreamEventsFunctionCarrierEvents",
        "StripeEventsFunctionWebhookEvents",
        "StripePartnerEventsRule",
    }
    for name, rule in rules.items():
        bus = {
            "Ref": "StripeEventSourceName" if name == "StripePartnerEventsRule" else "OrderFlowBus"
        }
        assert rule["Properties"]["EventBusName"] == bus, name
        for t in rule["Properties"]["Targets"]:
            assert ref_id(t["DeadLetterConfig"]["Arn"]) in _queues(cfn), name
            assert t["RetryPolicy"]["MaximumEventAgeInSeconds"] == 86_400, name


def test_rule_patterns(cfn: dict[str, Any]) -> None:
    rules = resources_of_type(cfn, "AWS::Events::Rule")
    assert rules["OrderPlacedRule"]["Properties"]["EventPattern"] == {
        "source": ["orderflow.orders"],
        "detail-type": ["OrderPlaced"],
    }
    assert rules["UpstreamEventsFunctionCarrierEvents"]["Properties"]["EventPattern"] == {
        "source": ["simship.carrier"],
        "detail-type": ["ShipmentDispatched", "ShipmentDelivered", "ShipmentDeliveryFailed"],
    }
    # Every Stripe type comes through: the consumer acts on four and counts the rest.
    assert rules["StripeEventsFunctionWebhookEvents"]["Properties"]["EventPattern"] == {
        "source": ["orderflow.stripe-webhook"]
    }
    partner = rules["StripePartnerEventsRule"]
    assert partner["Condition"] == "HasStripeEventSource"
    assert partner["Properties"]["EventPattern"] == {
        "source": [{"prefix": "aws.partner/stripe.com/"}]
    }


def test_the_reconciler_runs_every_five_minutes_and_a_failed_run_waits_for_the_next(
    cfn: dict[str, Any],
) -> None:
    rules = resources_of_type(cfn, "AWS::Events::Rule")
    schedules = {n: r["Properties"] for n, r in rules.items() if n not in _bus_rules(cfn)}
    assert set(schedules) == {"ReconcilerFunctionEveryFiveMinutes"}
    (schedule,) = schedules.values()
    assert schedule["ScheduleExpression"] == "rate(5 minutes)"
    assert "EventBusName" not in schedule  # the default bus, where schedules live
    assert [target(t["Arn"]) for t in schedule["Targets"]] == ["ReconcilerFunction"]
    (config,) = (
        c["Properties"]
        for c in resources_of_type(cfn, "AWS::Lambda::EventInvokeConfig").values()
        if ref_id(c["Properties"]["FunctionName"]) == "ReconcilerFunction"
    )
    assert config["MaximumRetryAttempts"] == 0
    assert config["MaximumEventAgeInSeconds"] == 300
    reconciler = functions(cfn)["ReconcilerFunction"]
    assert reconciler["Timeout"] < 300  # a run ends before the next one starts
    assert "ReservedConcurrentExecutions" not in reconciler


def test_async_invoked_function_dead_letters(cfn: dict[str, Any]) -> None:
    lambdas = functions(cfn)
    async_targets = {
        target(t["Arn"])
        for rule in _bus_rules(cfn).values()
        for t in rule["Properties"]["Targets"]
        if ref_id(t["Arn"]) in lambdas
    }
    assert async_targets == {"UpstreamEventsFunction", "StripeEventsFunction"}
    configs = {
        ref_id(c["Properties"]["FunctionName"]): c["Properties"]
        for c in resources_of_type(cfn, "AWS::Lambda::EventInvokeConfig").values()
    }
    for name in async_targets:
        assert ref_id(lambdas[name]["DeadLetterConfig"]["TargetArn"]) in _queues(cfn), name
        assert configs[name]["MaximumRetryAttempts"] <= 2, name


def test_queue_policy_lets_only_our_rules_send(cfn: dict[str, Any]) -> None:
    (policy,) = resources_of_type(cfn, "AWS::SQS::QueuePolicy").values()
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        if "Fn::If" in statement:  # the partner rule's, when there is one
            condition, statement, absent = statement["Fn::If"]
            assert (condition, absent) == ("HasStripeEventSource", {"Ref": "AWS::NoValue"})
        assert statement["Principal"] == {"Service": "events.amazonaws.com"}
        assert statement["Action"] == "sqs:SendMessage"
        source = statement["Condition"]["ArnEquals"]["aws:SourceArn"]
        assert ref_id(source) in resources_of_type(cfn, "AWS::Events::Rule")


def _alarmed(cfn: dict[str, Any], metric: str, dimension: str) -> set[str]:
    """Logical ids referenced by alarms on ``metric`` (plain or metric-math alarms)."""
    found: set[str] = set()
    for alarm in resources_of_type(cfn, "AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        metrics = [props] + [
            q["MetricStat"]["Metric"] for q in props.get("Metrics", []) if "MetricStat" in q
        ]
        for m in metrics:
            if m.get("MetricName") == metric:
                found |= {
                    ref_id(d["Value"]) for d in m.get("Dimensions", []) if d["Name"] == dimension
                } - {None}  # type: ignore[arg-type]
    return found


def test_every_dlq_has_a_depth_alarm(cfn: dict[str, Any]) -> None:
    dlqs = {name for name in _queues(cfn) if name.endswith("DLQ")}
    assert dlqs == {"WorkflowStartDLQ", "OutboxRelayDLQ", "UpstreamEventsDLQ"}
    assert _alarmed(cfn, "ApproximateNumberOfMessagesVisible", "QueueName") >= dlqs


OUTCOME_TASKS = {
    "AuthorizePaymentFunction",
    "RequestShipmentFunction",
    "CapturePaymentFunction",
    "AskOperatorFunction",
    "CompleteOrderFunction",
}
"""Forward saga steps: their business outcomes (a decline, a cancellation) are Lambda errors,
so their faults page through the TaskErrors alarm instead (handlers/tasks/_task.py)."""


def test_every_function_has_error_and_throttle_alarms(cfn: dict[str, Any]) -> None:
    names = set(functions(cfn))
    assert _alarmed(cfn, "Errors", "FunctionName") == names - OUTCOME_TASKS
    assert _alarmed(cfn, "Throttles", "FunctionName") == names
    task_errors = [
        a["Properties"]
        for a in resources_of_type(cfn, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("MetricName") == "TaskErrors"
    ]
    assert [a["Namespace"] for a in task_errors] == ["OrderFlow"]


def test_saga_and_api_alarms(cfn: dict[str, Any]) -> None:
    metrics = {
        a["Properties"].get("MetricName")
        for a in resources_of_type(cfn, "AWS::CloudWatch::Alarm").values()
    }
    assert {"ExecutionsFailed", "ExecutionsTimedOut", "5XXError", "Latency"} <= metrics
    for alarm in resources_of_type(cfn, "AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]
