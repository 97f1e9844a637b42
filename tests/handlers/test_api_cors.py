"""CORS on the API's own answers, for the one origin the template allows.

The handler reads CORS_ALLOW_ORIGIN when Lambda imports it, so the API runs here in a fresh
interpreter with that variable set (this test process imported it without). The in-memory
ports are the other tests' ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "events" / "api_post_orders.json"
SHOP = "https://shop.example.com"

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from tests.handlers.fakes import LAMBDA_ENV
    os.environ.update(LAMBDA_ENV, CORS_ALLOW_ORIGIN=sys.argv[1])

    from adapters.memory.idempotency import InMemoryIdempotencyStore
    from tests.domain.support import World
    from tests.handlers.api_support import ORDER, ApiClient
    from tests.support.wiring import use_world

    use_world(World(idempotency_store=InMemoryIdempotencyStore()))
    with open(sys.argv[2], encoding="utf-8") as sample:
        api = ApiClient(json.load(sample))
    shop, other = {"Origin": sys.argv[1]}, {"Origin": "https://evil.example"}
    replies = {
        "placed": api("POST", "/orders", body=ORDER, headers={"Idempotency-Key": "k", **shop}),
        "refused": api("GET", "/orders/nope", headers=shop),
        "too_large": api("POST", "/orders", raw="x" * 70_000, headers=shop),
        "other_origin": api("GET", "/orders", headers=other),
        "no_origin": api("GET", "/orders"),
    }
    print(json.dumps({name: [r.status, r.headers] for name, r in replies.items()}))
    """
)


def test_the_allowed_origin_gets_cors_headers_on_every_answer_and_others_get_none() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, SHOP, str(SAMPLE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": "/nonexistent"},
    )
    assert done.returncode == 0, done.stderr
    replies = json.loads(done.stdout.strip().splitlines()[-1])

    for name, status in (("placed", 201), ("refused", 404), ("too_large", 413)):
        got, headers = replies[name]
        assert got == status, name
        assert headers["access-control-allow-origin"] == SHOP, name
    placed = replies["placed"][1]
    assert placed["access-control-expose-headers"] == "Location"  # scripts may read it
    assert "Idempotency-Key" in placed["access-control-allow-headers"].split(",")
    assert "access-control-allow-credentials" not in placed  # bearer tokens, no cookies
    for name in ("other_origin", "no_origin"):
        got, headers = replies[name]
        assert got == 200, name
        assert not any(h.startswith("access-control-") for h in headers), name
