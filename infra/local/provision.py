"""Create the translated template's resources in the local data plane, with the template's names
and wiring.

The template is the one description of the system: tables, queues, buses, roles, functions,
the state machine (with its DefinitionSubstitutions), rules with their targets and the event
source mappings are read from the CloudFormation that aws-sam-translator produced, references
resolved by ``Intrinsics``. Resources the data plane does not hold (permissions, API
deployments, alarms, log groups) are skipped; ``Provisioned.skipped`` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infra.local.creators import Creators
from infra.local.intrinsics import Intrinsics

ACCOUNT = "123456789012"
NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Events::EventBus": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Events::Archive": "ArchiveName",
    "AWS::SecretsManager::Secret": "Name",
}
CREATED = (  # in creation order
    "AWS::IAM::Role",
    "AWS::SecretsManager::Secret",
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::Events::EventBus",
    "AWS::Events::Archive",
    "AWS::Lambda::Function",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::StepFunctions::StateMachine",
    "AWS::Events::Rule",
    "AWS::Lambda::EventSourceMapping",
)


@dataclass
class Provisioned:
    """What was created: resolved properties by logical id, and what was not."""

    region: str
    names: dict[str, str] = field(default_factory=dict)
    """Logical id -> physical name (ARN for a state machine, URL for a queue)."""
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    refs: Intrinsics | None = None

    def of_type(self, cfn_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.properties.items() if self.types[k] == cfn_type}

    def setting(self, variable: str) -> str | None:
        """A variable of the functions' environment (ORDERS_TABLE ...), as the handlers see it."""
        for props in self.of_type("AWS::Lambda::Function").values():
            value = ((props.get("Environment") or {}).get("Variables") or {}).get(variable)
            if value:
                return str(value)
        return None


def provision(
    template: dict[str, Any],
    session: Any,
    endpoint: str,
    region: str,
    stack_name: str,
    parameters: dict[str, Any] | None = None,
) -> Provisioned:
    """Create every resource of ``template`` (plain CloudFormation) through ``session``."""
    refs = _intrinsics(template, region, stack_name, parameters or {})
    resources = {
        k: r
        for k, r in template["Resources"].items()
        if "Condition" not in r or refs.condition(r["Condition"])
    }
    out = Provisioned(region=region, refs=refs)
    for logical_id, resource in resources.items():
        _placeholder(refs, logical_id, resource, region, stack_name, endpoint)
    creators = Creators(session, endpoint, refs, out)
    for cfn_type in CREATED:
        batch = {k: r for k, r in resources.items() if r["Type"] == cfn_type}
        for logical_id in sorted(batch, key=lambda k: "RedrivePolicy" in _props(batch[k])):
            props = refs.resolve(_props(batch[logical_id]))
            out.types[logical_id] = cfn_type
            out.properties[logical_id] = props
            out.names[logical_id] = refs.refs[logical_id]
            creators.create(cfn_type, logical_id, props)
    for logical_id, resource in resources.items():
        if resource["Type"] not in CREATED:
            out.skipped[logical_id] = resource["Type"]
    return out


def _props(resource: dict[str, Any]) -> dict[str, Any]:
    return dict(resource.get("Properties") or {})


def _intrinsics(
    template: dict[str, Any], region: str, stack_name: str, overrides: dict[str, Any]
) -> Intrinsics:
    pseudo = {
        "AWS::Region": region,
        "AWS::AccountId": ACCOUNT,
        "AWS::Partition": "aws",
        "AWS::StackName": stack_name,
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::StackId": f"arn:aws:cloudformation:{region}:{ACCOUNT}:stack/{stack_name}/local",
    }
    parameters = {k: p.get("Default") for k, p in (template.get("Parameters") or {}).items()}
    parameters.update(overrides)
    return Intrinsics(pseudo, parameters, template.get("Conditions"))


def _placeholder(
    refs: Intrinsics,
    logical_id: str,
    resource: dict[str, Any],
    region: str,
    stack: str,
    endpoint: str,
) -> None:
    """Names and ARNs are known before anything exists, as CloudFormation's would be."""
    cfn_type = resource["Type"]
    explicit = _props(resource).get(NAME_PROPERTY.get(cfn_type, ""))
    name = refs.resolve(explicit) if explicit else f"{stack}-{logical_id}"[:64]
    if cfn_type == "AWS::SQS::Queue" and _props(resource).get("FifoQueue") and not explicit:
        name = f"{name[:59]}.fifo"
    head = f"arn:aws:{{}}:{region}:{ACCOUNT}"
    arns = {
        "AWS::DynamoDB::Table": f"{head.format('dynamodb')}:table/{name}",
        "AWS::SQS::Queue": f"{head.format('sqs')}:{name}",
        "AWS::Events::EventBus": f"{head.format('events')}:event-bus/{name}",
        "AWS::Lambda::Function": f"{head.format('lambda')}:function:{name}",
        "AWS::StepFunctions::StateMachine": f"{head.format('states')}:stateMachine:{name}",
        "AWS::IAM::Role": f"arn:aws:iam::{ACCOUNT}:role/{name}",
    }
    arn = arns.get(cfn_type, f"arn:aws:local:{region}:{ACCOUNT}:{logical_id}")
    if cfn_type == "AWS::SQS::Queue":
        url = f"{endpoint}/{ACCOUNT}/{name}"
        refs.define(logical_id, url, Arn=arn, QueueName=name, QueueUrl=url)
    elif cfn_type == "AWS::SecretsManager::Secret":
        # Ref is the ARN on AWS, whose last six characters are random; every caller takes
        # the name for a SecretId as well, so locally Ref is the name.
        refs.define(logical_id, name, Id=name, Name=name)
    elif cfn_type == "AWS::StepFunctions::StateMachine":
        refs.define(logical_id, arn, Arn=arn, Name=name)
    else:
        refs.define(
            logical_id,
            name,
            Arn=arn,
            Name=name,
            StreamArn=f"{arn}/stream/local",
            RoleId=name,
            RootResourceId="root",
        )
