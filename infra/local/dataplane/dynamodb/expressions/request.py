"""The expressions of one request, parsed (cached) and checked against the request's
ExpressionAttributeNames and ExpressionAttributeValues as DynamoDB checks them: every
placeholder defined, every definition used, values valid."""

from __future__ import annotations

from typing import Any

from infra.local.dataplane.dynamodb.expressions.condition_parser import parse_condition
from infra.local.dataplane.dynamodb.expressions.env import Env
from infra.local.dataplane.dynamodb.expressions.nodes import Condition
from infra.local.dataplane.dynamodb.expressions.parsed import Parsed
from infra.local.dataplane.dynamodb.expressions.projection import Tree, bind, parse_projection
from infra.local.dataplane.dynamodb.expressions.tokens import invalid
from infra.local.dataplane.dynamodb.expressions.update_nodes import Update
from infra.local.dataplane.dynamodb.expressions.update_parser import parse_update
from infra.local.dataplane.dynamodb.values import canonical
from infra.local.dataplane.errors import AwsError, validation

CONDITIONS = ("KeyConditionExpression", "ConditionExpression", "FilterExpression")


class Expressions:
    def __init__(self, params: dict[str, Any]) -> None:
        self.parsed: dict[str, Parsed[Any]] = {}
        for kind in CONDITIONS:
            if kind in params:
                self.parsed[kind] = parse_condition(kind, _text(params, kind))
        if "UpdateExpression" in params:
            self.parsed["UpdateExpression"] = parse_update(_text(params, "UpdateExpression"))
        if "ProjectionExpression" in params:
            parsed = parse_projection(_text(params, "ProjectionExpression"))
            self.parsed["ProjectionExpression"] = parsed
        names = _mapping(params, "ExpressionAttributeNames", "#", bool(self.parsed))
        raw_values = _mapping(params, "ExpressionAttributeValues", ":", bool(self.parsed))
        values = {}
        for ref, raw in raw_values.items():
            try:
                values[ref] = canonical(raw)[0]
            except AwsError as bad:
                raise validation(
                    f"ExpressionAttributeValues contains invalid value: {bad.message} for key {ref}"
                ) from bad
        self._check_references(names, values)
        self.env = Env("", names, values)

    def _check_references(self, names: dict[str, str], values: dict[str, Any]) -> None:
        used_names: set[str] = set()
        used_values: set[str] = set()
        for kind, parsed in self.parsed.items():
            for ref in sorted(parsed.names - names.keys()):
                raise invalid(
                    kind,
                    "An expression attribute name used in the document path is not defined; "
                    f"attribute name: {ref}",
                )
            for ref in sorted(parsed.values - values.keys()):
                raise invalid(
                    kind,
                    "An expression attribute value used in expression is not defined; "
                    f"attribute value: {ref}",
                )
            used_names |= parsed.names
            used_values |= parsed.values
        for label, given, used in (
            ("ExpressionAttributeNames", names, used_names),
            ("ExpressionAttributeValues", values, used_values),
        ):
            unused = sorted(given.keys() - used)
            if unused:
                keys = ", ".join(unused)
                raise validation(
                    f"Value provided in {label} unused in expressions: keys: {{{keys}}}"
                )

    def condition(self, kind: str) -> tuple[Parsed[Condition], Env] | None:
        parsed = self.parsed.get(kind)
        return None if parsed is None else (parsed, self.env.for_kind(kind))

    def update(self) -> Parsed[Update] | None:
        return self.parsed.get("UpdateExpression")

    def update_env(self) -> Env:
        return self.env.for_kind("UpdateExpression")

    def projection(self) -> Tree | None:
        parsed = self.parsed.get("ProjectionExpression")
        return None if parsed is None else bind(parsed, self.env)


def _text(params: dict[str, Any], kind: str) -> str:
    text = params[kind]
    if not isinstance(text, str):
        raise validation(f"{kind} must be a string")
    return text


def _mapping(params: dict[str, Any], label: str, sigil: str, expressions: bool) -> dict[str, Any]:
    given = params.get(label)
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise validation(f"{label} must be a map")
    if not given:
        raise validation(f"{label} must not be empty")
    if not expressions:
        raise validation(f"{label} can only be specified when using expressions")
    for key in given:
        if not key.startswith(sigil) or len(key) < 2:
            raise validation(f'{label} contains invalid key: Syntax error; key: "{key}"')
    return given
