"""Template filters: UTC times, durations, status words, and JSON shown with personal data
redacted, stack traces dropped and long values cut."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from infra.ops.redact import plain, redact, truncate
from infra.ops.render import duration

SHOWN_CHARS = 4000
_TRACES = {"stacktrace", "stack", "traceback", "trace"}


def when(moment: str | datetime | None) -> str:
    """``2026-11-27 13:16:17`` (UTC)."""
    at = _parsed(moment)
    return at.strftime("%Y-%m-%d %H:%M:%S") if at else "-"


def clock(moment: str | datetime | None) -> str:
    """``13:16:16.566`` (UTC)."""
    at = _parsed(moment)
    return at.strftime("%H:%M:%S.%f")[:-3] if at else "-"


def took(seconds: float | None) -> str:
    return duration(seconds) if seconds is not None else ""


def between(start: str | None, stop: str | None) -> str:
    began, ended = _parsed(start), _parsed(stop)
    return duration((ended - began).total_seconds()) if began and ended else "-"


def word(status: str | None) -> str:
    """``TIMED_OUT`` -> ``timed out``."""
    return (status or "").lower().replace("_", " ")


def shown(value: Any, limit: int = SHOWN_CHARS) -> str:
    """Indented JSON, redacted (again: defence in depth), without stack traces."""
    if value is None:
        return ""
    clean = _without_traces(redact(value))
    text = clean if isinstance(clean, str) else json.dumps(plain(clean), indent=2)
    return truncate(text, limit)


def _without_traces(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_traces(v)
            for k, v in value.items()
            if str(k).lower().replace("_", "") not in _TRACES
        }
    if isinstance(value, list):
        return [_without_traces(v) for v in value]
    return value


def _parsed(moment: str | datetime | None) -> datetime | None:
    if moment is None or moment == "":
        return None
    at = moment if isinstance(moment, datetime) else datetime.fromisoformat(str(moment))
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


ALL = {"when": when, "clock": clock, "took": took, "between": between, "word": word, "shown": shown}
