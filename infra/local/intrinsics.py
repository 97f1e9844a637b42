"""CloudFormation intrinsics (Ref, GetAtt, Sub, Join, Select, Split, If) for the local stack.

Only what the translated template needs: every resource gets a placeholder name and ARN up
front (so references between resources resolve in any order), and the provisioner overwrites
them with what moto really created (a table's stream ARN, for instance).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

NO_VALUE = object()
"""``Ref: AWS::NoValue``: the key or list item is dropped, as CloudFormation does."""

_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


class UnresolvedReference(LookupError):
    """A reference to something the template does not define."""


class Intrinsics:
    def __init__(
        self,
        pseudo: Mapping[str, str],
        parameters: Mapping[str, Any] | None = None,
        conditions: Mapping[str, Any] | None = None,
    ) -> None:
        self.refs: dict[str, Any] = {**pseudo, **(parameters or {})}
        self.attrs: dict[tuple[str, str], Any] = {}
        self._conditions = dict(conditions or {})
        self._evaluated: dict[str, bool] = {}

    def define(self, logical_id: str, ref: Any, **attrs: Any) -> None:
        """What ``Ref`` and ``Fn::GetAtt`` give for a resource."""
        self.refs[logical_id] = ref
        for name, value in attrs.items():
            self.attrs[(logical_id, name)] = value

    def condition(self, name: str) -> bool:
        if name not in self._evaluated:
            if name not in self._conditions:
                raise UnresolvedReference(f"condition {name!r}")
            self._evaluated[name] = bool(self.resolve(self._conditions[name]))
        return self._evaluated[name]

    def resolve(self, value: Any) -> Any:
        """``value`` with every intrinsic function replaced by its value."""
        if isinstance(value, list):
            items = [self.resolve(v) for v in value]
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            handler = _FUNCTIONS.get(key)
            if handler is not None:
                return handler(self, arg)
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    # ----- functions ------------------------------------------------------------------
    def _ref(self, name: Any) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name not in self.refs:
            raise UnresolvedReference(f"Ref {name!r}")
        return self.refs[name]

    def _get_att(self, arg: Any) -> Any:
        logical_id, attr = arg.split(".", 1) if isinstance(arg, str) else self.resolve(arg)
        try:
            return self.attrs[(logical_id, attr)]
        except KeyError:
            raise UnresolvedReference(f"Fn::GetAtt {logical_id}.{attr}") from None

    def _sub(self, arg: Any) -> str:
        template, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        local = {k: self.resolve(v) for k, v in variables.items()}

        def one(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name in local:
                return str(local[name])
            if "." in name and name.split(".", 1)[0] in self.refs:
                return str(self._get_att(name))
            return str(self._ref(name))

        return _SUB_VAR.sub(one, template).replace("${!", "${")

    def _join(self, arg: Any) -> str:
        separator, items = arg
        return str(separator).join(str(v) for v in self.resolve(items))

    def _select(self, arg: Any) -> Any:
        index, items = self.resolve(arg)
        return items[int(index)]

    def _split(self, arg: Any) -> list[str]:
        separator, text = self.resolve(arg)
        return str(text).split(separator)

    def _if(self, arg: Any) -> Any:
        name, when_true, when_false = arg
        return self.resolve(when_true if self.condition(name) else when_false)

    def _equals(self, arg: Any) -> bool:
        left, right = self.resolve(arg)
        return bool(left == right)

    def _not(self, arg: Any) -> bool:
        return not self.resolve(arg[0])

    def _and(self, arg: Any) -> bool:
        return all(self.resolve(arg))

    def _or(self, arg: Any) -> bool:
        return any(self.resolve(arg))


_FUNCTIONS = {
    "Ref": Intrinsics._ref,
    "Fn::GetAtt": Intrinsics._get_att,
    "Fn::Sub": Intrinsics._sub,
    "Fn::Join": Intrinsics._join,
    "Fn::Select": Intrinsics._select,
    "Fn::Split": Intrinsics._split,
    "Fn::If": Intrinsics._if,
    "Fn::Equals": Intrinsics._equals,
    "Fn::Not": Intrinsics._not,
    "Fn::And": Intrinsics._and,
    "Fn::Or": Intrinsics._or,
    "Condition": Intrinsics.condition,
}
