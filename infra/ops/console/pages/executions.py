"""The executions: newest first, a status filter, search by order id, pages of ``PAGE``; the
rows re-fetched every few seconds (``/executions/rows``, the same query)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from infra.ops.console.pages.common import context, query, render
from infra.ops.errors import NotFound
from infra.ops.executions import STATUSES, Execution, attempts, listed
from infra.ops.target import Target

PAGE = 50
SEARCHED = 1000
"""A search that names no execution looks for the text among this many newest ones."""


@dataclass(frozen=True)
class Listing:
    status: str | None
    search: str
    page: int
    rows: list[Execution]
    more: bool
    note: str = ""

    def link(self, **changes: object) -> str:
        values = {"status": self.status, "q": self.search, "page": None, **changes}
        return f"/executions?{query(**values)}"

    @property
    def rows_link(self) -> str:
        page = self.page if self.page > 1 else None
        return f"/executions/rows?{query(status=self.status, q=self.search, page=page)}"


def executions_page(request: Request) -> Response:
    found = _listing(context(request).target, request)
    return render(request, "executions.html", listing=found, statuses=STATUSES)


def rows_fragment(request: Request) -> Response:
    found = _listing(context(request).target, request)
    return render(request, "executions_rows.html", listing=found)


def _listing(target: Target, request: Request) -> Listing:
    status = request.query_params.get("status", "").upper() or None
    if status not in STATUSES:
        status = None
    search = request.query_params.get("q", "").strip()
    page = max(1, _int(request.query_params.get("page"), 1))
    if search:
        rows, note = _searched(target, search, status)
        first = (page - 1) * PAGE
        return Listing(
            status, search, page, rows[first : first + PAGE], len(rows) > first + PAGE, note
        )
    newest = listed(target, status, page * PAGE + 1)
    return Listing(
        status, search, page, newest[(page - 1) * PAGE : page * PAGE], len(newest) > page * PAGE
    )


def _searched(target: Target, search: str, status: str | None) -> tuple[list[Execution], str]:
    """An order id's attempts (newest first); otherwise names that contain the text."""
    try:
        rows = [Execution.of(d) for d in reversed(attempts(target, search))]
        note = ""
    except NotFound:
        rows = [e for e in listed(target, None, SEARCHED) if search.lower() in e.name.lower()]
        note = f"no execution is named {search}: names containing it among the newest {SEARCHED}"
    return [e for e in rows if status in (None, e.status)], note


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default
