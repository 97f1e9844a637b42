"""One list of error codes (handlers/api_error_codes.py) and three places that state them: the
code that answers them, docs/openapi.json, docs/api.md. They must agree, both ways."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from pathlib import Path

from handlers.api_error_codes import ERROR_CODES
from infra.local import gateway
from infra.sam_translate import load_template

REPO = Path(__file__).resolve().parents[2]
ANSWERING = ("handlers/api.py", "handlers/api_errors.py", "handlers/api_guard.py")
_PAIR = re.compile(r"HTTPStatus\.([A-Z_]+),\s*\"([a-z_]+)\"")
_ROW = re.compile(r"^\| (\d{3}) \| `([a-z_]+)` \|", re.MULTILINE)
_GATEWAY_STATUS = {
    "UNAUTHORIZED": 401,
    "MISSING_AUTHENTICATION_TOKEN": 403,
    "ACCESS_DENIED": 403,
    "THROTTLED": 429,
    "REQUEST_TOO_LARGE": 413,
    "INTEGRATION_TIMEOUT": 504,
    "DEFAULT_5XX": 502,
}


def _listed(gateway_only: bool | None = None) -> set[tuple[int, str]]:
    return {
        (e.status, e.code) for e in ERROR_CODES if gateway_only is None or e.gateway == gateway_only
    }


def test_the_function_answers_listed_codes_and_every_code_of_its_own() -> None:
    """401 is both: API Gateway's authorizer answers it, the function too (defence in depth)."""
    source = "\n".join((REPO / path).read_text(encoding="utf-8") for path in ANSWERING)
    answered = {(HTTPStatus[name].value, code) for name, code in _PAIR.findall(source)}
    assert answered <= _listed()
    assert _listed(gateway_only=False) <= answered


def test_api_md_lists_exactly_the_codes() -> None:
    table = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    assert {(int(status), code) for status, code in _ROW.findall(table)} == _listed()


def test_openapi_documents_every_status_with_its_codes() -> None:
    document = json.loads((REPO / "docs" / "openapi.json").read_text(encoding="utf-8"))
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, code in _listed():
                if method == "get" and status in (413, 415):
                    continue
                response = operation["responses"][str(status)]
                assert code in response["description"], (method, path, status)
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}


def test_api_gateways_own_answers_carry_the_listed_codes() -> None:
    responses = load_template()["Resources"]["OrdersApi"]["Properties"]["GatewayResponses"]
    gateway_codes = {code for _, code in _listed(gateway_only=True)}
    seen = set()
    for kind, response in responses.items():
        body = response["ResponseTemplates"]["application/json"]
        code = re.search(r'"error":"([a-z_]+)"', body).group(1)  # type: ignore[union-attr]
        assert code in {c for _, c in _listed()}, kind
        if kind in _GATEWAY_STATUS:
            assert (_GATEWAY_STATUS[kind], code) in _listed(), kind
            seen.add(code)
        assert '"message":$context.error.messageString' in body and '"details":[]' in body
    assert gateway_codes <= seen
    for status, body, _ in (gateway.UNAUTHORIZED, gateway.NO_ROUTE):  # the local gateway's
        assert (status, json.loads(body)["error"]) in _listed(gateway_only=True)
