"""EventBridge's names and ARNs in one account and region."""

from __future__ import annotations

import re
from dataclasses import dataclass

from infra.local.dataplane.events.errors import validation

DEFAULT_BUS = "default"
_NAME = re.compile(r"[.\-_A-Za-z0-9]{1,64}")
_BUS = re.compile(r"[/.\-_A-Za-z0-9]{1,256}")


@dataclass(frozen=True)
class Arns:
    region: str
    account: str

    def _arn(self, resource: str) -> str:
        return f"arn:aws:events:{self.region}:{self.account}:{resource}"

    def bus(self, name: str) -> str:
        return self._arn(f"event-bus/{name}")

    def rule(self, bus: str, name: str) -> str:
        return self._arn(f"rule/{name}" if bus == DEFAULT_BUS else f"rule/{bus}/{name}")

    def archive(self, name: str) -> str:
        return self._arn(f"archive/{name}")

    def replay(self, name: str) -> str:
        return self._arn(f"replay/{name}")


def bus_name(value: object) -> str:
    """A bus given by name or ARN (``EventBusName``); absent is the default bus."""
    if value is None or value == "":
        return DEFAULT_BUS
    text = str(value)
    if text.startswith("arn:"):
        text = text.split(":event-bus/", 1)[-1]
    if not _BUS.fullmatch(text):
        raise validation(f"Parameter EventBusName is not valid: {value!r}.")
    return text


def checked_name(value: object, what: str, pattern: re.Pattern[str] = _NAME) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise validation(
            f"1 validation error detected: Value '{value}' at '{what}' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: {pattern.pattern}"
        )
    return value


def resource_name(arn: str, kind: str) -> str | None:
    """The name in ``arn:aws:events:<region>:<account>:<kind>/<name>``, if it is one."""
    marker = f":{kind}/"
    return arn.split(marker, 1)[1] if arn.startswith("arn:aws:events:") and marker in arn else None
