"""Descriptive statistics used by the reports: percentiles, concentration, net sentiment."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-quantile (0..1) with linear interpolation between closest ranks (numpy's
    default); None for no values."""
    if not values:
        return None
    xs = sorted(values)
    if len(xs) == 1:
        return float(xs[0])
    pos = (len(xs) - 1) * q
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return float(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo))


def summarize(values: Sequence[float]) -> dict[str, float | int | None]:
    """count, mean, median, p90, p99 (seconds, rounded to milliseconds)."""

    def r(v: float | None) -> float | None:
        return None if v is None else round(v, 3)

    return {
        "count": len(values),
        "mean": r(sum(values) / len(values)) if values else None,
        "median": r(percentile(values, 0.5)),
        "p90": r(percentile(values, 0.9)),
        "p99": r(percentile(values, 0.99)),
    }


def gini(values: Iterable[float]) -> float:
    """Gini coefficient of non-negative loads: 0 when equal, towards 1 when one carries all.

    G = (2 * sum(i * x_i) / (n * sum(x))) - (n + 1) / n over x sorted ascending, i = 1..n.
    """
    xs = sorted(float(v) for v in values)
    n = len(xs)
    total = sum(xs)
    if n == 0 or total <= 0:
        return 0.0
    weighted = sum(i * x for i, x in enumerate(xs, start=1))
    return (2.0 * weighted) / (n * total) - (n + 1.0) / n


def busiest_share(values: Iterable[float]) -> float:
    """The busiest member's share of the total (0 when there is no load)."""
    xs = [float(v) for v in values]
    total = sum(xs)
    return max(xs) / total if xs and total > 0 else 0.0


def net_sentiment(counts: Mapping[str, int]) -> float | None:
    """(positive - negative) / all labelled posts, in [-1, 1]; None with no posts."""
    pos = counts.get("positive", 0)
    neg = counts.get("negative", 0)
    total = pos + neg + counts.get("neutral", 0)
    return None if total == 0 else round((pos - neg) / total, 4)


def ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)
