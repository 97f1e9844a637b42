"""Local bearer tokens standing in for Cognito ID tokens: compact JWTs signed with HS256.

Cognito signs with RS256 keys it publishes; locally one shared secret is enough. The secret comes
from ``ORDERFLOW_LOCAL_TOKEN_SECRET`` or from ``build/local-token-secret`` (created on first use,
mode 0600), so a token minted by the CLI is accepted by a stack started from the same checkout.

    python -m infra.local.tokens <customer_id>     # prints a token valid for 8 hours
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

ISSUER = "orderflow-local"
SECRET_ENV = "ORDERFLOW_LOCAL_TOKEN_SECRET"  # noqa: S105  # a variable name, not a secret
SECRET_FILE = Path(__file__).resolve().parents[2] / "build" / "local-token-secret"
_HEADER = {"alg": "HS256", "typ": "JWT"}


def load_secret(path: Path = SECRET_FILE) -> bytes:
    """The environment's secret, else the checkout's file (created once, readable by you only)."""
    if value := os.environ.get(SECRET_ENV):
        return value.encode()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(draft, path)  # atomic: a racing process keeps the first secret written
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    secret = path.read_bytes().strip()
    if not secret:
        raise RuntimeError(f"{path} is empty: delete it to have a new secret made")
    return secret


def mint(
    customer_id: str,
    *,
    secret: bytes | None = None,
    ttl_seconds: int = 3600 * 8,
    now: float | None = None,
) -> str:
    if not customer_id:
        raise ValueError("customer_id must not be empty")
    issued = int(time.time() if now is None else now)
    claims = {
        "sub": customer_id,
        "iss": ISSUER,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "token_use": "id",
    }
    signing_input = f"{_b64(_json(_HEADER))}.{_b64(_json(claims))}"
    return f"{signing_input}.{_b64(_sign(signing_input, secret))}"


def verify(
    token: str, *, secret: bytes | None = None, now: float | None = None
) -> dict[str, Any] | None:
    """The claims of a well-formed, correctly signed, unexpired local ID token; else None."""
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        if not hmac.compare_digest(
            _unb64(signature_b64), _sign(f"{header_b64}.{claims_b64}", secret)
        ):
            return None
        header, claims = json.loads(_unb64(header_b64)), json.loads(_unb64(claims_b64))
    except ValueError:  # bad base64, JSON, shape or characters
        return None
    if header != _HEADER or not isinstance(claims, dict):
        return None
    current = time.time() if now is None else now
    valid = (
        isinstance(claims.get("sub"), str)
        and claims["sub"]
        and claims.get("iss") == ISSUER
        and claims.get("token_use") == "id"
        and isinstance(claims.get("exp"), int)
        and claims["exp"] > current
    )
    return claims if valid else None


def _sign(signing_input: str, secret: bytes | None) -> bytes:
    key = load_secret() if secret is None else secret
    return hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m infra.local.tokens <customer_id>", file=sys.stderr)
        return 2
    print(mint(args[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
