"""Reading the translated template: references, functions, roles, statements."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from infra.sam_translate import resources_of_type


def ref_id(value: Any) -> str | None:
    """The logical id a ``Ref`` or ``Fn::GetAtt`` points at, else None."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref" and isinstance(arg, str):
            return arg
        if key == "Fn::GetAtt":
            return str(arg[0] if isinstance(arg, list) else arg.split(".", 1)[0])
    return None


def target(value: Any) -> str:
    """Like ``ref_id`` for a value that must be a reference."""
    found = ref_id(value)
    assert found is not None, f"not a Ref/GetAtt: {value!r}"
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def functions(cfn: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in resources_of_type(cfn, "AWS::Lambda::Function").items()}


@dataclass(frozen=True)
class Statement:
    role: str
    policy: str
    actions: tuple[str, ...]
    resources: tuple[Any, ...]
    body: Mapping[str, Any]


def policies(role: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """A role's inline policies; a conditional one (``Fn::If``, as SAM writes a policy under
    ``!If``) counts as granted: what a role may do is judged by its widest stack."""
    for policy in role["Properties"].get("Policies") or []:
        if "Fn::If" in policy:
            _, *branches = policy["Fn::If"]
            yield from (b for b in branches if b != {"Ref": "AWS::NoValue"})
        else:
            yield policy


def statements(cfn: Mapping[str, Any]) -> Iterator[Statement]:
    """Every inline statement of every IAM role in the template."""
    for role_id, role in resources_of_type(cfn, "AWS::IAM::Role").items():
        for policy in policies(role):
            for statement in as_list(policy["PolicyDocument"]["Statement"]):
                yield Statement(
                    role=role_id,
                    policy=policy["PolicyName"],
                    actions=tuple(as_list(statement.get("Action", []))),
                    resources=tuple(as_list(statement.get("Resource", []))),
                    body=statement,
                )


def managed_policy_name(arn: Any) -> str:
    """``arn:aws:iam::aws:policy/service-role/X`` (or its Fn::Sub form) -> ``service-role/X``."""
    text = arn if isinstance(arn, str) else str(arn.get("Fn::Sub", arn))
    return text.split(":policy/", 1)[-1]
