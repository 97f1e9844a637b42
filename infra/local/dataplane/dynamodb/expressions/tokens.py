"""The tokens of an expression, and DynamoDB's error for a syntax it does not accept."""

from __future__ import annotations

import re
from dataclasses import dataclass

from infra.local.dataplane.errors import AwsError, validation

_TOKEN = re.compile(
    r"\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<ref>\#[A-Za-z0-9_]+)|(?P<value>:[A-Za-z0-9_]+)"
    r"|(?P<index>\d+)|(?P<op><>|<=|>=|[=<>()\[\],.+\-]))"
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # name, ref, value, index, op, eof
    text: str
    start: int

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "name" else ""


def invalid(kind: str, detail: str) -> AwsError:
    return validation(f"Invalid {kind}: {detail}")


def tokenize(kind: str, text: str) -> list[Token]:
    """``kind`` names the expression in errors (``ConditionExpression``, ...)."""
    if not text.strip():
        raise invalid(kind, "The expression can not be empty;")
    tokens: list[Token] = []
    at, end = 0, len(text.rstrip())
    while at < end:
        found = _TOKEN.match(text, at)
        if found is None or found.lastgroup is None:
            start = end - len(text[at:end].lstrip())
            bad = Token("op", text[start], start)
            raise syntax_error(kind, text, bad, tokens[-1] if tokens else None)
        group = found.lastgroup
        tokens.append(Token(group, found.group(group), found.start(group)))
        at = found.end()
    tokens.append(Token("eof", "<EOF>", len(text)))
    return tokens


def syntax_error(kind: str, text: str, token: Token, previous: Token | None) -> AwsError:
    start = previous.start if previous is not None else token.start
    near = text[start : token.start + len(token.text)] if token.kind != "eof" else text[start:]
    return invalid(kind, f'Syntax error; token: "{token.text}", near: "{near.strip()}"')
