"""EventBridge's errors as its JSON 1.1 protocol answers them (``__type`` is the code)."""

from __future__ import annotations

from infra.local.dataplane.errors import AwsError


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message)


def already_exists(message: str) -> AwsError:
    return AwsError("ResourceAlreadyExistsException", message)


def bad_pattern(reason: str) -> AwsError:
    return AwsError("InvalidEventPatternException", f"Event pattern is not valid. Reason: {reason}")
