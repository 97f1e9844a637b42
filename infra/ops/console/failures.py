"""What a page shows when something goes wrong: the CLI's own sentence (``errors.explain``),
never a stack trace; a bug is a bare 500 here and a traceback on the console's terminal."""

from __future__ import annotations

import logging

from botocore.exceptions import BotoCoreError, ClientError
from starlette.requests import Request
from starlette.responses import Response

from infra.ops import errors
from infra.ops.console.pages.common import Refused, render

log = logging.getLogger("orderflow.console")
_STATUS = {errors.UNAVAILABLE: 503, errors.FAILED: 409}


def explained(request: Request, error: Exception) -> Response:
    aws = not request.app.state.console.target.local
    message, code = errors.explain(error, aws) or ("unexpected error", errors.FAILED)
    status = _STATUS.get(code, 409)
    if isinstance(error, errors.NotFound):
        status = 404
    elif isinstance(error, Refused):
        status = 403
    elif isinstance(error, ClientError):
        status = 502
    return render(request, "error.html", status, message=message)


def unexpected(request: Request, error: Exception) -> Response:
    log.error("%s %s failed", request.method, request.url.path, exc_info=error)
    return render(
        request,
        "error.html",
        500,
        message="the console failed unexpectedly; the details are on its terminal",
    )


HANDLERS = {
    errors.OpsError: explained,
    BotoCoreError: explained,
    ClientError: explained,
    Exception: unexpected,
}
