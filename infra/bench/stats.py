"""Small, dependency-free statistics for timings (nearest-rank percentiles)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: a value that was actually measured, never an interpolation."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def rounded(value: float, digits: int = 3) -> float:
    return round(value, digits)


def summary_ms(values_ns: Sequence[int]) -> dict[str, float]:
    """p50/p95/p99/mean in milliseconds from nanosecond samples."""
    ms = [v / 1e6 for v in values_ns]
    return {
        "n": len(ms),
        "p50_ms": rounded(percentile(ms, 50), 4),
        "p95_ms": rounded(percentile(ms, 95), 4),
        "p99_ms": rounded(percentile(ms, 99), 4),
        "mean_ms": rounded(statistics.fmean(ms), 4),
    }
