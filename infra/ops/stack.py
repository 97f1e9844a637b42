"""Where the operator CLI looks: the local stack's ``build/local-stack.json``, or a deployed
CloudFormation stack's outputs and resources.

``build/local-stack.json`` (written by ``python -m infra.local``), the canonical form::

    {"awsEndpoint": "http://127.0.0.1:4566", "apiUrl": "http://127.0.0.1:3000/local/",
     "region": "us-east-1", "tableName": "orderflow-local-orders",
     "busName": "orderflow-local", "stateMachineArn": "arn:aws:states:...:stateMachine:...",
     "queues": {"WorkflowStartQueue": {"url": "http://...", "dlqUrl": "http://..."},
                "OutboxRelayDLQ": {"url": null, "dlqUrl": "http://..."}}}

``queues`` is keyed by logical id; ``url`` is the source queue, ``dlqUrl`` its dead-letter
queue; a DLQ fed by no queue (an EventBridge target or Lambda DLQ, a stream's on-failure
destination) has ``url: null``. A ``dlqUrl`` left out is found from the source queue's
RedrivePolicy. The DLQs ``resources.deadLetterQueues`` names join ``queues`` with ``url: null``
(as on AWS, where every queue is listed by logical id), so a redrive target is known by its own
logical id too. The runner's descriptive form (``endpoints``, ``tables``, ``deadLetterQueues``
...) is read as well.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from infra.ops.errors import StackUnavailable

LOCAL_STACK_FILE = Path(__file__).resolve().parents[2] / "build" / "local-stack.json"
_DLQ_NAME = re.compile(r"dlq|dead-?letter", re.IGNORECASE)


@dataclass(frozen=True)
class QueueRef:
    url: str | None
    dlq_url: str | None = None


@dataclass(frozen=True)
class StackConfig:
    region: str
    table_name: str
    state_machine_arn: str
    aws_endpoint: str | None = None
    """None: AWS's own endpoints."""
    api_url: str | None = None
    bus_name: str | None = None
    queues: dict[str, QueueRef] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StackConfig:
        if "endpoints" in data:
            data = _from_runner_form(data)
        try:
            return cls(
                region=data["region"],
                table_name=data["tableName"],
                state_machine_arn=data["stateMachineArn"],
                aws_endpoint=data.get("awsEndpoint"),
                api_url=data.get("apiUrl"),
                bus_name=data.get("busName"),
                queues=_queues(data),
            )
        except (KeyError, TypeError, AttributeError) as bad:
            raise StackUnavailable(f"the stack description lacks {bad}") from bad


def _queues(data: dict[str, Any]) -> dict[str, QueueRef]:
    """``queues``, plus every DLQ ``resources.deadLetterQueues`` names by logical id (the
    canonical form lists a redrive target only as its source's ``dlqUrl``), so that each DLQ
    is known by its logical id (``--queue WorkflowStartDLQ``), as on AWS."""
    queues = {
        name: QueueRef(q.get("url"), q.get("dlqUrl"))
        for name, q in (data.get("queues") or {}).items()
    }
    standing_alone = {q.dlq_url for q in queues.values() if not q.url}
    named = ((data.get("resources") or {}).get("deadLetterQueues") or {}).items()
    for name, url in named:
        if name not in queues and url not in standing_alone:
            queues[name] = QueueRef(None, url)
    return queues


def load_local(path: Path = LOCAL_STACK_FILE) -> StackConfig:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as missing:
        raise StackUnavailable(
            f"{path} not found: start the local stack (python -m infra.local), "
            "or use --aws --stack-name NAME"
        ) from missing
    except json.JSONDecodeError as bad:
        raise StackUnavailable(f"{path} is not JSON: {bad}") from bad
    return StackConfig.from_json(data)


def load_aws(cloudformation: Any, stack_name: str, region: str) -> StackConfig:
    """Outputs named ApiUrl, TableName, BusName, StateMachineArn win; otherwise the stack's
    only resource of that type. Queues are the stack's SQS queues (DLQs by name)."""
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        raise StackUnavailable(
            f"stack {stack_name}: {error.response['Error']['Message']}"
        ) from error
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs") or []}
    by_type: dict[str, dict[str, str]] = {}
    for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_name):
        for r in page["StackResourceSummaries"]:
            if r.get("PhysicalResourceId"):
                by_type.setdefault(r["ResourceType"], {})[r["LogicalResourceId"]] = r[
                    "PhysicalResourceId"
                ]

    def one(output: str, cfn_type: str, required: bool = True) -> str | None:
        if output in outputs:
            return outputs[output]
        found = list(by_type.get(cfn_type, {}).values())
        if len(found) == 1:
            return found[0]
        if required:
            raise StackUnavailable(f"{stack_name}: no output {output} and {len(found)} {cfn_type}")
        return None

    queues = {
        name: QueueRef(None, url) if _DLQ_NAME.search(name) else QueueRef(url)
        for name, url in by_type.get("AWS::SQS::Queue", {}).items()
    }
    return StackConfig(
        region=region,
        table_name=str(one("TableName", "AWS::DynamoDB::Table")),
        state_machine_arn=str(one("StateMachineArn", "AWS::StepFunctions::StateMachine")),
        api_url=outputs.get("ApiUrl"),
        bus_name=one("BusName", "AWS::Events::EventBus", required=False),
        queues=queues,
    )


def _from_runner_form(data: dict[str, Any]) -> dict[str, Any]:
    """``infra.local.stack.LocalStack.describe()`` -> the canonical form."""

    def only(kind: str) -> Any:
        values = list((data.get(kind) or {}).values())
        if len(values) != 1:
            raise StackUnavailable(f"the local stack lists {len(values)} {kind}, expected one")
        return values[0]

    api = data["endpoints"].get("api")
    queues = {name: {"url": url} for name, url in (data.get("queues") or {}).items()}
    queues.update({n: {"dlqUrl": u} for n, u in (data.get("deadLetterQueues") or {}).items()})
    return {
        "region": data.get("region", "us-east-1"),
        "awsEndpoint": data["endpoints"].get("aws"),
        "apiUrl": f"{api}/{data['apiStage']}/" if api and data.get("apiStage") else api,
        "tableName": only("tables"),
        "stateMachineArn": only("stateMachines"),
        "busName": data.get("eventBus"),
        "queues": queues,
    }
