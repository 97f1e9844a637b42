"""The REST API's routes, read from the template as aws-sam-translator wrote them.

SAM turns each function's ``Api`` events into the swagger ``Body`` of an
``AWS::ApiGateway::RestApi``: one operation per path and method, whose
``x-amazon-apigateway-integration.uri`` names the function (``${ApiFunction.Arn}``, or an alias
such as ``${ApiFunctionAliaslive}``) and whose ``security`` names the authorizer (``NONE`` when a
route opts out of the default one). Pass the translated template before intrinsics are resolved:
the logical ids are read from the ``Fn::Sub`` strings. A conditional function's path and
operation are wrapped in ``Fn::If``: ``condition`` (the stack's, by name) says which branch is
served; without it such routes are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_ANY_METHOD = "x-amazon-apigateway-any-method"
_FUNCTION_IN_URI = re.compile(r"/functions/\$\{([A-Za-z0-9]+)(?:\.Arn)?\}")
_EMULATED_AUTH = "cognito_user_pools"


@dataclass(frozen=True)
class Route:
    method: str
    """An HTTP method in capitals, or ``ANY``."""
    path: str
    """A resource path template: ``/orders/{orderId}``, ``/files/{proxy+}``."""
    function: str
    """The logical id of the function the route invokes."""
    authorized: bool
    """True when a Cognito user pool authorizer guards the route."""


class UnsupportedRoute(ValueError):
    """A route the local gateway cannot serve faithfully (the message says which and why)."""


def routes_from_template(
    cfn: dict[str, Any], condition: Callable[[str], bool] | None = None
) -> list[Route]:
    resources: dict[str, Any] = cfn.get("Resources") or {}

    def chosen(value: Any) -> Any:
        """``value``, or the branch of its ``Fn::If`` that the stack's conditions pick."""
        while isinstance(value, dict) and set(value) == {"Fn::If"}:
            name, when_true, when_false = value["Fn::If"]
            value = when_true if condition is not None and condition(name) else when_false
        return None if value == {"Ref": "AWS::NoValue"} else value

    routes: list[Route] = []
    for api_id, api in resources.items():
        if api.get("Type") != "AWS::ApiGateway::RestApi":
            continue
        body = (api.get("Properties") or {}).get("Body")
        if not isinstance(body, dict):
            raise UnsupportedRoute(
                f"{api_id}: only an inline swagger Body can be read "
                "(a DefinitionUri/BodyS3Location was not inlined)"
            )
        schemes = (
            body.get("securityDefinitions")
            or (body.get("components") or {}).get("securitySchemes")
            or {}
        )
        for path, maybe_operations in (body.get("paths") or {}).items():
            operations = chosen(maybe_operations) or {}
            for key, maybe_operation in operations.items():
                operation = chosen(maybe_operation)
                if operation is None:
                    continue
                method = "ANY" if key == _ANY_METHOD else key.upper()
                if method not in (*HTTP_METHODS, "ANY"):
                    continue  # path-level keys such as "parameters"
                where = f"{api_id} {method} {path}"
                function = _function(operation, resources, where, chosen)
                if function is None:
                    continue  # a mock integration (CORS preflight) or another non-Lambda one
                routes.append(Route(method, path, function, _authorized(operation, schemes, where)))
    return routes


def _function(
    operation: dict[str, Any],
    resources: dict[str, Any],
    where: str,
    chosen: Callable[[Any], Any],
) -> str | None:
    integration = operation.get("x-amazon-apigateway-integration") or {}
    if integration.get("type") != "aws_proxy":
        return None
    uri = chosen(integration.get("uri"))
    if isinstance(uri, dict) and "Fn::Sub" in uri:
        sub = uri["Fn::Sub"]
        uri = sub[0] if isinstance(sub, list) else sub
    found = _FUNCTION_IN_URI.search(uri) if isinstance(uri, str) else None
    if found is None:
        raise UnsupportedRoute(f"{where}: cannot tell which function {uri!r} invokes")
    logical_id = found.group(1)
    target = resources.get(logical_id) or {}
    if target.get("Type") in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
        name = (target.get("Properties") or {}).get("FunctionName")
        if isinstance(name, dict) and isinstance(name.get("Ref"), str):
            return str(name["Ref"])
        raise UnsupportedRoute(f"{where}: {logical_id} does not Ref a function")
    if target.get("Type") not in ("AWS::Lambda::Function", None):
        raise UnsupportedRoute(f"{where}: {logical_id} is a {target['Type']}, not a function")
    return logical_id


def _authorized(operation: dict[str, Any], schemes: dict[str, Any], where: str) -> bool:
    names = {name for requirement in operation.get("security") or [] for name in requirement}
    names.discard("NONE")
    for name in names:
        scheme = schemes.get(name) or {}
        kind = scheme.get("x-amazon-apigateway-authtype") or (
            scheme.get("x-amazon-apigateway-authorizer") or {}
        ).get("type")
        if kind != _EMULATED_AUTH:
            raise UnsupportedRoute(
                f"{where}: authorizer {name!r} ({kind or 'unknown type'}) "
                f"is not emulated locally; only {_EMULATED_AUTH} is"
            )
    return bool(names)


@dataclass(frozen=True)
class Match:
    route: Route
    path_parameters: dict[str, str]


class RouteTable:
    """Finds the route for a request as API Gateway does: the most specific resource first
    (a literal segment beats ``{param}``, which beats ``{proxy+}``), then its exact method,
    then its ``ANY``. No route, or a resource without that method, is ``None``."""

    def __init__(self, routes: list[Route] | tuple[Route, ...]) -> None:
        by_path: dict[str, dict[str, Route]] = {}
        for route in routes:
            methods = by_path.setdefault(route.path, {})
            if route.method in methods:
                raise ValueError(f"two routes for {route.method} {route.path}")
            methods[route.method] = route
        self._resources = sorted(
            ((_compile(path), methods) for path, methods in by_path.items()),
            key=lambda item: item[0][2],
        )

    def match(self, method: str, path: str) -> Match | None:
        if len(path) > 1:
            path = path.rstrip("/") or "/"
        for (pattern, names, _), methods in self._resources:
            found = pattern.fullmatch(path)
            if found is None:
                continue
            route = methods.get(method.upper()) or methods.get("ANY")
            if route is None:
                return None
            return Match(route, dict(zip(names, found.groups(), strict=True)))
        return None


def _compile(template: str) -> tuple[re.Pattern[str], list[str], tuple[int, ...]]:
    """A template's regex, its parameter names, and its rank (lower is more specific)."""
    parts, names, rank = [], [], []
    for segment in template.strip("/").split("/") if template != "/" else []:
        if segment.startswith("{") and segment.endswith("+}"):
            parts.append("(.+)")
            names.append(segment[1:-2])
            rank.append(2)
        elif segment.startswith("{") and segment.endswith("}"):
            parts.append("([^/]+)")
            names.append(segment[1:-1])
            rank.append(1)
        else:
            parts.append(re.escape(segment))
            rank.append(0)
    return re.compile("/" + "/".join(parts)), names, tuple(rank)
