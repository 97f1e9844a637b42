"""The REST API fuzzes clean against docs/openapi.json: schemathesis, every check, 0 failures.

A local stack of its own (``python -m infra.local``, as tests/e2e starts it) on loopback
ports; every request carries a valid token, and ``orderId`` is a real order of that customer,
so the routes behind it are reached, not only their 404s. Checks: all of schemathesis' (server
errors, status codes and headers the document does not declare, bodies outside their schema,
schema-invalid input accepted, schema-valid input refused, auth ignored, ...) plus
``hooks.valid_input_is_not_refused_as_invalid``.

Cost: ``MAX_EXAMPLES`` cases per operation and phase, one worker, a fixed seed (a run repeats;
``CONTRACT_SEED=random`` explores): about a minute on the 2-core machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from tests.e2e.flows import order_body, place
from tests.e2e.targets import Target, local_stack

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
DOCUMENT = REPO / "docs" / "openapi.json"
CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = 25
CUSTOMER = "contract-fuzz"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    with local_stack(tmp_path_factory.mktemp("contract-stack")) as (target, _process):
        yield target


def _error_schema() -> dict[str, Any]:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    return {"$ref": "#/components/schemas/ErrorOut", "components": document["components"]}


def test_schemathesis_finds_nothing(stack: Target, tmp_path: Path) -> None:
    with stack.http(CUSTOMER) as api:
        placed = place(api, order_body())
    assert placed.status_code == 201, placed.text
    config = tmp_path / "schemathesis.toml"
    order_id = placed.json()["orderId"]
    config.write_text(
        CONFIG.read_text(encoding="utf-8") + f'\n[parameters]\n"path.orderId" = "{order_id}"\n',
        encoding="utf-8",
    )
    seed = os.environ.get("CONTRACT_SEED", "20261203")
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "run",
        str(DOCUMENT),
        "--url",
        stack.api,
        "--header",
        f"Authorization: Bearer {stack.token(CUSTOMER)}",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        *([] if seed == "random" else ["--seed", seed]),
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.contract.hooks", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-8000:]
    assert " 0 failures" in out or "No issues found" in out or "passed" in out, out[-3000:]


@pytest.mark.parametrize(
    "path", ["/orders", "/orders/{id}/cancel", "/orders/{id}/refunds"], ids=str
)
def test_a_body_that_is_not_utf8_is_a_400(stack: Target, path: str) -> None:
    with stack.http(CUSTOMER) as api:
        order_id = place(api, order_body()).json()["orderId"]
        answer = api.post(
            path.format(id=order_id),
            content=b'{"reason": "\xff\xfe"}',
            headers={"Content-Type": "application/json", "Idempotency-Key": "utf8-check"},
        )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "malformed_json"
    jsonschema.validate(answer.json(), _error_schema())


@pytest.mark.parametrize(
    ("path", "status"), [("/orders", 401), ("/orders/a%2Fb", 403), ("/nowhere", 403)]
)
def test_the_gateways_own_answers_have_the_documented_shape(
    stack: Target, path: str, status: int
) -> None:
    headers = {} if status == 401 else {"Authorization": f"Bearer {stack.token(CUSTOMER)}"}
    with httpx.Client(base_url=stack.api, timeout=30) as client:
        answer = client.get(path, headers=headers)
    assert answer.status_code == status
    jsonschema.validate(answer.json(), _error_schema())
    operations = json.loads(DOCUMENT.read_text(encoding="utf-8"))["paths"].values()
    assert all(str(status) in op["responses"] for ops in operations for op in ops.values())
