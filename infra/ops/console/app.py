"""The console's Starlette application: routes, templates, static files, failure pages.

Pages are rendered on the server (Jinja2); ``static/console.js`` only re-fetches the live
parts. Only the hosts the console is served as are accepted (a page on another site that
resolves its name to 127.0.0.1 gets a 400)."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from infra.ops.console import filters
from infra.ops.console.failures import HANDLERS
from infra.ops.console.pages import dead_letters, execution, executions, orders, repair
from infra.ops.console.pages.common import Context
from infra.ops.target import Target

HERE = Path(__file__).resolve().parent


def create_app(target: Target, writes: bool, where: str, host: str = "127.0.0.1") -> Starlette:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters.update(filters.ALL)
    routes = [
        Route("/", _home),
        Route("/executions", executions.executions_page),
        Route("/executions/rows", executions.rows_fragment),
        Route("/executions/{name}", execution.execution_page),
        Route("/executions/{name}/live", execution.live_fragment),
        Route("/executions/{name}/retry", repair.confirm_retry),
        Route("/executions/{name}/retry", repair.do_retry, methods=["POST"]),
        Route("/orders", orders.find_order),
        Route("/orders/{order_id}", orders.order_page),
        Route("/orders/{order_id}/live", orders.live_fragment),
        Route("/dlq", dead_letters.dead_letters_page),
        Route("/dlq/{queue}/redrive", dead_letters.confirm_redrive),
        Route("/dlq/{queue}/redrive", dead_letters.do_redrive, methods=["POST"]),
        Route("/done/{key}", repair.outcome_page),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    hosts = sorted({host, "127.0.0.1", "localhost"})
    app = Starlette(
        routes=routes,
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)],
        exception_handlers=HANDLERS,
    )
    app.state.console = Context(target, writes, where, templates)
    return app


def _home(request: Request) -> Response:
    return RedirectResponse("/executions", status_code=307)
