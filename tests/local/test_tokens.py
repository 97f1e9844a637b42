"""Local ID tokens: what verifies, what does not, and where the secret lives."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from infra.local import tokens

NOW = 1_750_000_000.0


def _part(token: str, index: int) -> dict[str, object]:
    raw = token.split(".")[index]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    return decoded


def _encode(value: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def test_a_minted_token_verifies_with_cognito_like_claims(secret: bytes) -> None:
    token = tokens.mint("cust-1", secret=secret, now=NOW)
    claims = tokens.verify(token, secret=secret, now=NOW + 60)
    assert claims == {
        "sub": "cust-1",
        "iss": "orderflow-local",
        "iat": int(NOW),
        "exp": int(NOW) + 8 * 3600,
        "token_use": "id",
    }
    assert _part(token, 0) == {"alg": "HS256", "typ": "JWT"}


def test_expired_token_is_refused(secret: bytes) -> None:
    token = tokens.mint("cust-1", secret=secret, ttl_seconds=60, now=NOW)
    assert tokens.verify(token, secret=secret, now=NOW + 59) is not None
    assert tokens.verify(token, secret=secret, now=NOW + 60) is None


def test_wrong_secret_is_refused(secret: bytes) -> None:
    token = tokens.mint("cust-1", secret=secret, now=NOW)
    assert tokens.verify(token, secret=b"another-secret", now=NOW) is None


def test_tampered_claims_are_refused(secret: bytes) -> None:
    header, _, signature = tokens.mint("cust-1", secret=secret, now=NOW).split(".")
    claims = {
        "sub": "someone-else",
        "iss": "orderflow-local",
        "iat": int(NOW),
        "exp": int(NOW) + 3600,
        "token_use": "id",
    }
    assert tokens.verify(f"{header}.{_encode(claims)}.{signature}", secret=secret, now=NOW) is None


def test_tampered_signature_is_refused(secret: bytes) -> None:
    token = tokens.mint("cust-1", secret=secret, now=NOW)
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert tokens.verify(flipped, secret=secret, now=NOW) is None


def test_unsigned_alg_none_token_is_refused(secret: bytes) -> None:
    claims = {
        "sub": "cust-1",
        "iss": "orderflow-local",
        "iat": int(NOW),
        "exp": int(NOW) + 3600,
        "token_use": "id",
    }
    unsigned = f"{_encode({'alg': 'none', 'typ': 'JWT'})}.{_encode(claims)}."
    assert tokens.verify(unsigned, secret=secret, now=NOW) is None


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "someone-else"},
        {"token_use": "access"},
        {"sub": ""},
        {"exp": "tomorrow"},
    ],
)
def test_correctly_signed_but_wrong_claims_are_refused(
    secret: bytes, claims: dict[str, object]
) -> None:
    good = {
        "sub": "cust-1",
        "iss": "orderflow-local",
        "iat": int(NOW),
        "exp": int(NOW) + 3600,
        "token_use": "id",
    }
    signing_input = f"{_encode({'alg': 'HS256', 'typ': 'JWT'})}.{_encode({**good, **claims})}"
    signature = tokens._b64(tokens._sign(signing_input, secret))
    assert tokens.verify(f"{signing_input}.{signature}", secret=secret, now=NOW) is None


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "a.b", "é.é.é", "..", "a.b.c.d"])
def test_garbage_is_refused_without_raising(secret: bytes, garbage: str) -> None:
    assert tokens.verify(garbage, secret=secret) is None


def test_secret_file_is_created_once_private_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(tokens.SECRET_ENV, raising=False)
    path = tmp_path / "build" / "local-token-secret"
    first = tokens.load_secret(path)
    assert len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tokens.load_secret(path) == first
    assert list(path.parent.iterdir()) == [path]  # no draft left behind


def test_environment_secret_wins_over_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(tokens.SECRET_ENV, "from-the-environment")
    assert tokens.load_secret(tmp_path / "absent") == b"from-the-environment"
    assert not (tmp_path / "absent").exists()


def test_cli_prints_a_token_the_stack_accepts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(tokens.SECRET_ENV, "shared-by-cli-and-stack")
    assert tokens.main(["cust-42"]) == 0
    printed = capsys.readouterr().out.strip()
    assert (tokens.verify(printed) or {}).get("sub") == "cust-42"
    assert tokens.main([]) == 2
    assert "usage" in capsys.readouterr().err
