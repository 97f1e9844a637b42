"""Calling the REST API handler the way API Gateway does, from the committed sample event."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from handlers import api
from tests.domain.support import ALICE
from tests.handlers.fakes import FakeLambdaContext

ORDER: dict[str, Any] = {
    "items": [{"sku": "BOOK-001", "quantity": 2}, {"sku": "TEE-003", "quantity": 1}],
    "shippingAddress": {
        "name": "Ada Lovelace",
        "line1": "12 St James's Square",
        "city": "London",
        "postalCode": "SW1Y 4JH",
        "country": "GB",
    },
    "paymentToken": "tok_visa_4242",
}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any
    raw: str


class ApiClient:
    def __init__(self, template: dict[str, Any]) -> None:
        self._template = template

    def event(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        raw: str | None = None,
        headers: dict[str, str] | None = None,
        customer: str | None = ALICE,
        query: dict[str, str] | None = None,
        resource: str | None = None,
        content_type: str | None = "application/json",
    ) -> dict[str, Any]:
        event = copy.deepcopy(self._template)
        base = {"Accept": "application/json"}
        if content_type:
            base["Content-Type"] = content_type
        all_headers = {**base, **(headers or {})}
        event.update(
            httpMethod=method,
            path=path,
            resource=resource or path,
            headers=all_headers,
            multiValueHeaders={k: [v] for k, v in all_headers.items()},
            queryStringParameters=query,
            multiValueQueryStringParameters={k: [v] for k, v in query.items()} if query else None,
            body=raw if raw is not None else (None if body is None else json.dumps(body)),
        )
        context = event["requestContext"]
        context.update(httpMethod=method, resourcePath=resource or path, path=f"/prod{path}")
        if customer is None:
            context.pop("authorizer", None)
        else:
            context["authorizer"]["claims"]["sub"] = customer
        return event

    def send(self, event: dict[str, Any]) -> Reply:
        response = api.handler(event, FakeLambdaContext())
        headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
        for name, values in (response.get("multiValueHeaders") or {}).items():
            headers[name.lower()] = ", ".join(values)
        raw = response.get("body") or ""
        return Reply(response["statusCode"], headers, json.loads(raw) if raw else None, raw)

    def __call__(self, method: str, path: str, **kw: Any) -> Reply:
        return self.send(self.event(method, path, **kw))

    def place(self, order: dict[str, Any] | None = None, key: str = "key-1", **kw: Any) -> Reply:
        return self("POST", "/orders", body=order or ORDER, headers={"Idempotency-Key": key}, **kw)
