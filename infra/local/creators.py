"""How each kind of resource is created in the local data plane from its resolved properties.

One method per resource type, named after it (``AWS::SQS::Queue`` -> ``_queue``), calling the
service's own API as CloudFormation would. What the service returns that the template could
not know (a table's stream ARN, a queue's URL, a mapping's UUID) is handed back to the
intrinsics, so later references resolve to it. A resource that exists already (a restart on
kept state) is brought up to date instead: its data stays.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from typing import TYPE_CHECKING, Any

from infra.local.intrinsics import Intrinsics

if TYPE_CHECKING:
    from infra.local.provision import Provisioned

_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "RedrivePolicy",
    "RedriveAllowPolicy",
)
_ESM_KEYS = (
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "StartingPosition",
    "Enabled",
    "FilterCriteria",
    "FunctionResponseTypes",
    "MaximumRetryAttempts",
    "BisectBatchOnFunctionError",
    "MaximumRecordAgeInSeconds",
    "DestinationConfig",
    "ScalingConfig",
)


class KeptStateMismatch(RuntimeError):
    """The state directory was made from a template whose tables had other keys."""


def placeholder_zip() -> bytes:
    """The code is never run from here: sandboxes run the checkout's deployed packages."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "local stack: the handler runs in-process from the repo")
    return buffer.getvalue()


class Creators:
    def __init__(self, session: Any, endpoint: str, refs: Intrinsics, out: Provisioned) -> None:
        self._clients: dict[str, Any]
        self._session, self._endpoint, self._clients = session, endpoint, {}
        self._refs, self._out = refs, out

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(service, endpoint_url=self._endpoint)
        return self._clients[service]

    def create(self, cfn_type: str, logical_id: str, props: dict[str, Any]) -> None:
        name = self._out.names[logical_id]
        getattr(self, "_" + cfn_type.split("::")[-1].lower())(logical_id, name, props)

    def _role(self, logical_id: str, name: str, props: dict[str, Any]) -> None:
        """IAM is not emulated: a role is only its ARN (functions and machines name it)."""

    def _secret(self, logical_id: str, name: str, props: dict[str, Any]) -> None:
        """Created with the template's SecretString (a placeholder); on kept state the value
        an operator put since stays."""
        secrets = self._client("secretsmanager")
        create = {"Name": name, "Description": str(props.get("Description") or "")}
        if "SecretString" in props:
            create["SecretString"] = str(props["SecretString"])
        with contextlib.suppress(secrets.exceptions.ResourceExistsException):
            secrets.create_secret(**create)

    def _table(self, logical_id: str, name: str, props: dict[str, Any]) -> None:
        ddb = self._client("dynamodb")
        keys = (
            "AttributeDefinitions",
            "KeySchema",
            "GlobalSecondaryIndexes",
            "LocalSecondaryIndexes",
            "ProvisionedThroughput",
        )
        args: dict[str, Any] = {k: props[k] for k in keys if k in props}
        args["BillingMode"] = props.get("BillingMode", "PROVISIONED")
        if "StreamSpecification" in props:
            args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        try:
            table = ddb.create_table(TableName=name, **args)["TableDescription"]
        except ddb.exceptions.ResourceInUseException:  # kept state: the same table?
            table = ddb.describe_table(TableName=name)["Table"]
            if table["KeySchema"] != args["KeySchema"]:
                raise KeptStateMismatch(
                    f"the kept state holds table {name} with another key schema than the "
                    "template's: start afresh with --clean (or another --state-dir)"
                ) from None
        if table.get("LatestStreamArn"):
            self._refs.attrs[(logical_id, "StreamArn")] = table["LatestStreamArn"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            current = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
            if current.get("TimeToLiveStatus") != "ENABLED":
                ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)

    def _queue(self, logical_id: str, name: str, props: dict[str, Any]) -> None:
        attributes = {
            k: v if isinstance(v, str) else json.dumps(v)
            for k, v in props.items()
            if k in _QUEUE_ATTRIBUTES
        }
        queue_name = self._refs.attrs[(logical_id, "QueueName")]
        url = self._client("sqs").create_queue(QueueName=queue_name, Attributes=attributes)
        self._refs.define(logical_id, url["QueueUrl"], QueueUrl=url["QueueUrl"])
        self._out.names[logical_id] = url["QueueUrl"]

    def _eventbus(self, logical_id: str, name: str, props: dict[str, Any]) -> None:
        events = self._client("events")
        with contextlib.suppress(events.exceptions.ResourceAlreadyExistsException):
            events.create_event_bus(Name=name)

    def _archive(self, logical_id: str, name: str, props: dict[str, Any]) -> None:
        pattern = props.get("EventPattern")
        events = self._client("events")
        with contextlib.suppress(events.exceptions.ResourceAlreadyExistsException):
            events.create_archive(
                ArchiveName=name,
                EventSourceArn=props["SourceArn"],
                Description=props.get("Description", ""),
                RetentionDays=int(props.get("RetentionDays", 0)),
                **({"EventPattern": json.dumps(pattern)} if pattern else {}),
            )

    def _function(self, logical_id: str, name: str, props: dict[str, Any]) -> None:
        keys = (
            "Runtime",
            "Handler",
            "Timeout",
            "MemorySize",
            "Environment",
            "Description",
            "Architectures",
            "Role",
            "DeadLetterConfig",
            "TracingConfig",
        )
        lambdas = self._client("lambda")
        settings = {k: props[k] for k in keys if k in props}
        try:
            lambdas.create_function(
                FunctionName=name, Code={"ZipFile": placeholder_zip()}, **settings
            )
        except lambdas.exceptions.ResourceConflictException:
            settings.pop("Architectures", None)  # not a configuration setting
            lambdas.update_function_configuration(FunctionName=name, **settings)
        reserved = props.get("ReservedConcurrentExecutions")
        if reserved is not None:
            lambdas.put_function_concurrency(
                FunctionName=name, ReservedConcurrentExecutions=int(reserved)
            )

    def _eventinvokeconfig(self, logical_id: str, name: str, props: dict[str, Any]) -> None:
        keys = (
            "Qualifier",
            "MaximumRetryAttempts",
            "MaximumEventAgeInSeconds",
            "DestinationConfig",
        )
        self._client("lambda").put_function_event_invoke_config(
            FunctionName=props["FunctionName"], **{k: props[k] for k in keys if k in props}
        )

    def _statemachine(self, logical_id: str, name: str, props: dict[str, Any]) -> None:
        definition = props.get("DefinitionString") or json.dumps(props.get("Definition", {}))
        for key, value in (props.get("DefinitionSubstitutions") or {}).items():
            definition = definition.replace("${" + key + "}", str(value))
        sfn = self._client("stepfunctions")
        created = sfn.create_state_machine(
            name=self._refs.attrs[(logical_id, "Name")],
            definition=definition,
            roleArn=props["RoleArn"],
            type=props.get("StateMachineType", "STANDARD"),
        )
        arn = created["stateMachineArn"]
        if sfn.describe_state_machine(stateMachineArn=arn)["definition"] != definition:
            sfn.update_state_machine(stateMachineArn=arn, definition=definition)

    def _rule(self, logical_id: str, name: str, props: dict[str, Any]) -> None:
        events = self._client("events")
        bus = props.get("EventBusName", "default")
        args: dict[str, Any] = {
            "Name": name,
            "EventBusName": bus,
            "State": props.get("State", "ENABLED"),
        }
        if "EventPattern" in props:
            args["EventPattern"] = json.dumps(props["EventPattern"])
        if "ScheduleExpression" in props:
            args["ScheduleExpression"] = props["ScheduleExpression"]
        events.put_rule(**args)
        targets = props.get("Targets") or []
        if targets:
            events.put_targets(Rule=name, EventBusName=bus, Targets=targets)

    def _eventsourcemapping(self, logical_id: str, name: str, props: dict[str, Any]) -> None:
        lambdas = self._client("lambda")
        settings = {k: props[k] for k in _ESM_KEYS if k in props}
        existing = lambdas.list_event_source_mappings(
            FunctionName=props["FunctionName"], EventSourceArn=props["EventSourceArn"]
        )["EventSourceMappings"]
        if existing:
            settings.pop("StartingPosition", None)  # fixed at creation, as on AWS
            esm = lambdas.update_event_source_mapping(UUID=existing[0]["UUID"], **settings)
        else:
            esm = lambdas.create_event_source_mapping(
                FunctionName=props["FunctionName"],
                EventSourceArn=props["EventSourceArn"],
                **settings,
            )
        self._refs.define(logical_id, esm["UUID"])
        self._out.names[logical_id] = esm["UUID"]
