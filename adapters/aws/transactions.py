"""Reading why DynamoDB cancelled a TransactWriteItems call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

MAX_ITEMS = 100
"""DynamoDB's limit of actions in one transaction."""


@dataclass(frozen=True)
class Cancellation:
    codes: tuple[str, ...]
    """One code per requested action, in request order ("None" when that action was fine)."""
    items: tuple[dict[str, Any] | None, ...]
    """The old item per action, where ReturnValuesOnConditionCheckFailure=ALL_OLD returned it."""

    def failed(self, index: int, code: str = "ConditionalCheckFailed") -> bool:
        return index < len(self.codes) and self.codes[index] == code

    def any(self, code: str) -> bool:
        return code in self.codes


def cancellation(error: ClientError) -> Cancellation | None:
    """The reasons of a cancelled transaction; None for any other error."""
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return None
    reasons = error.response.get("CancellationReasons") or []
    return Cancellation(
        codes=tuple(str(r.get("Code", "None")) for r in reasons),
        items=tuple(r.get("Item") for r in reasons),
    )
