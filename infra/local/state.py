"""The stack's description, ``build/local-stack.json``: where it runs and what it holds.

First the operator CLI's canonical keys (docs/operations.md: ``awsEndpoint``, ``apiUrl``,
``tableName``, ``busName``, ``stateMachineArn``, ``queues`` with ``url``/``dlqUrl``), then under
``resources`` every physical name by logical id, and what is stood in for or not emulated.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from infra.local.provision import ACCOUNT, Provisioned

if TYPE_CHECKING:
    from infra.local.stack import LocalStack

ELSEWHERE = {  # not created in the data plane, but stood in for by the local stack
    "AWS::ApiGateway::RestApi": "the local API gateway (infra/local/gateway.py)",
    "AWS::ApiGateway::Stage": "the local API gateway: /<stage>/... or no prefix",
    "AWS::ApiGateway::Deployment": "the local API gateway",
    "AWS::Cognito::UserPool": "local tokens (python -m infra.local token <customer>)",
    "AWS::Cognito::UserPoolClient": "local tokens",
    "AWS::Lambda::Permission": "not needed: IAM is not enforced",
    "AWS::SQS::QueuePolicy": "not needed: IAM is not enforced",
}


def describe(stack: LocalStack) -> dict[str, Any]:
    """What runs where (``build/local-stack.json``): the operator CLI's canonical keys
    (docs/operations.md), then every resource's physical name by logical id."""
    p: Provisioned = stack.provisioned
    machines = p.of_type("AWS::StepFunctions::StateMachine")
    return {
        "awsEndpoint": stack.aws_url,
        "apiUrl": f"{stack.api_url}/{stack.stage}/",
        "region": p.region,
        "tableName": stack.orders_table(),
        "busName": stack.domain_bus(),
        "stateMachineArn": p.setting("STATE_MACHINE_ARN") or p.names[next(iter(machines))],
        "queues": queues_for_operators(p),
        "stackName": stack.options.stack_name,
        "account": ACCOUNT,
        "pid": os.getpid(),
        "stateDir": str(stack.options.state_dir) if stack.options.persist else None,
        "payments": _payments(stack),
        "resources": summary(p),
    }


def _payments(stack: LocalStack) -> dict[str, Any]:
    """Who moves the money; with Stripe, where localstripe answers (its test key is public)."""
    if stack.localstripe is None:
        return {"provider": "simulated"}
    from infra.local.localstripe import API_KEY

    return {"provider": "stripe", "stripeApiBase": stack.localstripe.url, "stripeApiKey": API_KEY}


def queues_for_operators(p: Provisioned) -> dict[str, dict[str, str | None]]:
    """Queues by logical id: ``url`` and its redrive ``dlqUrl``; a DLQ that is no queue's
    redrive target (a rule's, a function's, a stream's) stands alone with ``url`` null."""
    queues = p.of_type("AWS::SQS::Queue")
    by_arn = {p.refs.attrs[(k, "Arn")]: k for k in queues} if p.refs else {}
    out: dict[str, dict[str, str | None]] = {}
    redrive_targets = set()
    for logical_id, props in queues.items():
        target = by_arn.get((props.get("RedrivePolicy") or {}).get("deadLetterTargetArn", ""))
        redrive_targets.add(target)
        out[logical_id] = {
            "url": p.names[logical_id],
            "dlqUrl": p.names[target] if target else None,
        }
    for dlq in _dead_letter_queues(p) - redrive_targets:
        out[dlq] = {"url": None, "dlqUrl": p.names[dlq]}
    return {k: v for k, v in out.items() if k not in _dead_letter_queues(p) or v["url"] is None}


def summary(p: Provisioned) -> dict[str, Any]:
    """Physical names by kind, keyed by logical id (``build/local-stack.json``)."""

    def named(cfn_type: str) -> dict[str, str]:
        return {k: p.names[k] for k in p.of_type(cfn_type)}

    queues, dlqs = named("AWS::SQS::Queue"), _dead_letter_queues(p)
    skipped = sorted(p.skipped.items())
    return {
        "tables": named("AWS::DynamoDB::Table"),
        "eventBuses": named("AWS::Events::EventBus"),
        "archives": named("AWS::Events::Archive"),
        "queues": {k: v for k, v in queues.items() if k not in dlqs},
        "deadLetterQueues": {k: v for k, v in queues.items() if k in dlqs},
        "stateMachines": named("AWS::StepFunctions::StateMachine"),
        "functions": named("AWS::Lambda::Function"),
        "rules": named("AWS::Events::Rule"),
        "eventSourceMappings": named("AWS::Lambda::EventSourceMapping"),
        "standIns": {k: ELSEWHERE[t] for k, t in skipped if t in ELSEWHERE},
        "notEmulated": {k: t for k, t in skipped if t not in ELSEWHERE},
    }


def _dead_letter_queues(p: Provisioned) -> set[str]:
    queues = p.of_type("AWS::SQS::Queue")
    by_arn = {p.refs.attrs[(k, "Arn")]: k for k in queues} if p.refs else {}
    return {by_arn[a] for a in _dead_letter_targets(p.properties) if a in by_arn}


def _dead_letter_targets(value: Any, under_dlq_key: bool = False) -> list[str]:
    """ARNs found under dead-letter / on-failure keys (RedrivePolicy, DeadLetterConfig, ...)."""
    if isinstance(value, dict):
        return [
            arn
            for k, v in value.items()
            for arn in _dead_letter_targets(
                v, under_dlq_key or "deadletter" in k.lower() or k == "OnFailure"
            )
        ]
    if isinstance(value, list):
        return [arn for v in value for arn in _dead_letter_targets(v, under_dlq_key)]
    if isinstance(value, str) and value.startswith("{"):
        try:
            return _dead_letter_targets(json.loads(value), under_dlq_key)
        except ValueError:
            return []
    return [value] if under_dlq_key and isinstance(value, str) else []
