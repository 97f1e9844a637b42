"""The cursor over an expression's tokens, and the pieces every grammar shares: document
paths, ``:values``, and the names and values an expression refers to."""

from __future__ import annotations

from infra.local.dataplane.dynamodb.expressions import reserved
from infra.local.dataplane.dynamodb.expressions.nodes import Literal, Path
from infra.local.dataplane.dynamodb.expressions.paths import Part
from infra.local.dataplane.dynamodb.expressions.tokens import Token, syntax_error, tokenize
from infra.local.dataplane.errors import AwsError


class Reader:
    def __init__(self, kind: str, text: str) -> None:
        self.kind, self.text = kind, text
        self.tokens = tokenize(kind, text)
        self.at = 0
        self.names: set[str] = set()
        self.values: set[str] = set()

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.at + ahead, len(self.tokens) - 1)]

    def next(self) -> Token:
        token = self.tokens[self.at]
        self.at = min(self.at + 1, len(self.tokens) - 1)
        return token

    def error(self) -> AwsError:
        previous = self.tokens[self.at - 1] if self.at else None
        return syntax_error(self.kind, self.text, self.token, previous)

    def is_op(self, *texts: str) -> bool:
        return self.token.kind == "op" and self.token.text in texts

    def expect_op(self, text: str) -> None:
        if not self.is_op(text):
            raise self.error()
        self.next()

    def is_keyword(self, word: str) -> bool:
        return self.token.keyword == word

    def is_call(self) -> bool:
        return self.token.kind == "name" and self.peek().kind == "op" and self.peek().text == "("

    def end(self) -> None:
        if self.token.kind != "eof":
            raise self.error()

    def literal(self) -> Literal:
        if self.token.kind != "value":
            raise self.error()
        ref = self.next().text
        self.values.add(ref)
        return Literal(ref)

    def path(self) -> Path:
        parts: list[Part] = [self._element()]
        while True:
            if self.is_op("."):
                self.next()
                parts.append(self._element())
            elif self.is_op("["):
                self.next()
                if self.token.kind != "index":
                    raise self.error()
                parts.append(int(self.next().text))
                self.expect_op("]")
            else:
                break
        refs = any(isinstance(p, str) and p[0] == "#" for p in parts)
        return Path(tuple(parts), refs)

    def _element(self) -> str:
        token = self.token
        if token.kind == "ref":
            self.names.add(token.text)
        elif token.kind == "name":
            reserved.check(self.kind, token.text)
        else:
            raise self.error()
        self.next()
        return token.text
