"""The functions of infra/template.yaml as the benchmarks need them: handler, memory, environment.

Read straight from the SAM template (Globals merged into each function), with CloudFormation
tags kept as ``{"Ref": ...}`` / ``{"Fn::...": ...}`` and resolved to plausible placeholder
strings: a cold start needs the variables to exist, not to point at real resources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = REPO_ROOT / "infra" / "template.yaml"
REGION = "us-east-1"
ACCOUNT = "123456789012"
STAGE = "bench"
_PSEUDO = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": f"orderflow-{STAGE}",
}
_SUB = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class Function:
    logical_id: str
    handler: str
    """``package.module.function`` as the template names it."""
    memory_mb: int
    timeout_s: int
    environment: dict[str, str] = field(default_factory=dict)
    secrets: frozenset[str] = frozenset()
    """The logical ids of the secrets its policies let it read (the Stripe key, for paying)."""

    @property
    def module(self) -> str:
        return self.handler.rsplit(".", 1)[0]


class _CfnLoader(yaml.SafeLoader):
    """A SafeLoader that keeps CloudFormation's short-form tags as their long forms."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tag)


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506
    return data if isinstance(data, dict) else {}


def functions(path: Path = TEMPLATE) -> list[Function]:
    """Every ``AWS::Serverless::Function`` a stack with the parameters' defaults has (an
    optional one, such as the Stripe webhook, only when on by default), with its effective
    settings, in template order."""
    from infra.local.intrinsics import Intrinsics

    cfn = load(path)
    defaults = ((cfn.get("Globals") or {}).get("Function")) or {}
    params = {k: v.get("Default", "") for k, v in (cfn.get("Parameters") or {}).items()}
    conditions = Intrinsics(_PSEUDO, params, cfn.get("Conditions"))
    found = []
    for logical_id, resource in (cfn.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        if "Condition" in resource and not conditions.condition(resource["Condition"]):
            continue
        props = resource.get("Properties") or {}
        env = dict(_vars(defaults)) | dict(_vars(props))
        found.append(
            Function(
                logical_id=logical_id,
                handler=str(props.get("Handler") or defaults.get("Handler")),
                memory_mb=int(props.get("MemorySize") or defaults.get("MemorySize") or 128),
                timeout_s=int(props.get("Timeout") or defaults.get("Timeout") or 3),
                environment={k: _resolve(v, params) for k, v in env.items()},
                secrets=frozenset(_secrets_read(props.get("Policies") or [])),
            )
        )
    return found


def _secrets_read(policies: list[Any]) -> list[str]:
    """The secrets a function's inline statements (conditional ones too) grant it to read."""
    found = []
    for policy in policies:
        branches = (
            policy["Fn::If"][1:] if isinstance(policy, dict) and "Fn::If" in policy else [policy]
        )
        for branch in branches:
            for statement in (
                (branch or {}).get("Statement", []) if isinstance(branch, dict) else []
            ):
                if "secretsmanager:GetSecretValue" in str(statement.get("Action")):
                    resource = statement.get("Resource")
                    if isinstance(resource, dict) and "Ref" in resource:
                        found.append(str(resource["Ref"]))
    return found


def _vars(props: dict[str, Any]) -> dict[str, Any]:
    return dict(((props.get("Environment") or {}).get("Variables")) or {})


def _resolve(value: Any, params: dict[str, Any]) -> str:
    """A placeholder for a reference: parameter defaults, pseudo parameters, made-up names."""
    if isinstance(value, dict) and len(value) == 1:
        ((kind, arg),) = value.items()
        if kind == "Ref":
            return _name(str(arg), params)
        if kind == "Fn::Sub":
            text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            return _SUB.sub(
                lambda m: (
                    _resolve(extra[m.group(1)], params)
                    if m.group(1) in extra
                    else _name(m.group(1), params)
                ),
                text,
            )
        if kind == "Fn::GetAtt":
            return f"arn:aws:bench:{REGION}:{ACCOUNT}:{'.'.join(map(str, arg))}"
        if kind == "Fn::If":
            return _resolve(arg[2], params)
    return str(value)


def _name(ref: str, params: dict[str, Any]) -> str:
    if ref in _PSEUDO:
        return _PSEUDO[ref]
    if ref == "Stage":
        return STAGE
    if ref in params:
        return str(params[ref])
    return f"orderflow-{STAGE}-{ref.split('.')[0]}"


def lambda_environment(fn: Function, python: str = "python3.13") -> dict[str, str]:
    """The variables Lambda sets for this function, plus the function's own."""
    name = f"orderflow-{STAGE}-{fn.logical_id}"
    return {
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]0123456789abcdef",
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{python}",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "LAMBDA_TASK_ROOT": str(REPO_ROOT),
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "_HANDLER": fn.handler,
        "TZ": ":UTC",
        # Fake credentials, as Lambda provides real ones: no credential lookup at import.
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        **fn.environment,
    }
