"""What every page needs: the stack, whether writes are allowed, the templates, and the
guard and outcome store of the repair forms."""

from __future__ import annotations

import hmac
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from infra.ops.errors import OpsError
from infra.ops.target import Target

KEPT_OUTCOMES = 100


class Refused(OpsError):
    """A write the console will not do: read-only, or a form from another site."""


@dataclass(frozen=True)
class Outcome:
    title: str
    lines: list[str]
    ok: bool
    links: list[tuple[str, str]]
    """(text, href) to go on with."""


@dataclass
class Context:
    target: Target
    writes: bool
    where: str
    templates: Jinja2Templates
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    """Every repair form carries it: a page on another site cannot post one."""
    outcomes: OrderedDict[str, Outcome] = field(default_factory=OrderedDict)

    def keep(self, outcome: Outcome) -> str:
        key = secrets.token_urlsafe(9)
        self.outcomes[key] = outcome
        while len(self.outcomes) > KEPT_OUTCOMES:
            self.outcomes.popitem(last=False)
        return key


def context(request: Request) -> Context:
    found: Context = request.app.state.console
    return found


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> Response:
    ctx = context(request)
    common = {"where": ctx.where, "writes": ctx.writes, "token": ctx.token}
    return ctx.templates.TemplateResponse(
        request, template, {**common, **values}, status_code=status_code
    )


async def checked_form(request: Request) -> dict[str, str]:
    """The posted form, once the write is allowed and the form is this console's own.
    (A urlencoded body of a few fields: parse_qs, rather than python-multipart.)"""
    ctx = context(request)
    if not ctx.writes:
        raise Refused(
            "the console is read-only: start it with --allow-writes to repair "
            "(python -m infra.ops --aws --stack-name NAME console --allow-writes)"
        )
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host"):
        raise Refused(f"a form posted from {origin} is refused")
    body = (await request.body()).decode("utf-8", "replace")
    form = {k: v[-1] for k, v in parse_qs(body).items()}
    if not hmac.compare_digest(form.get("csrf", ""), ctx.token):
        raise Refused("this form is out of date (the console was restarted): open it again")
    return form


def query(**values: Any) -> str:
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})
