"""Descriptive statistics used by the reports: percentiles, concentration, net sentiment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

QUANTILES: tuple[tuple[str, int], ...] = (("median", 50), ("p90", 90), ("p99", 99))


def rank_bounds(n: int, pct: int) -> tuple[int, int, float]:
    """The 0-based ranks just below and above the ``pct``-th percentile of ``n`` sorted values
    and the weight of the upper one: linear interpolation between closest ranks (numpy's
    default), in integers so the database can name the same ranks (``reports.sqlstats``)."""
    scaled = (n - 1) * pct
    return scaled // 100, -(-scaled // 100), (scaled % 100) / 100


def summarize_ranked(
    n: int, total: float, at: Mapping[int, float]
) -> dict[str, float | int | None]:
    """count, mean, median, p90, p99 (rounded to milliseconds) of ``n`` values summing to
    ``total``, given the values at the ranks :func:`rank_bounds` names (0-based)."""

    def r(v: float) -> float:
        return round(v, 3)

    out: dict[str, float | int | None] = {"count": n, "mean": r(total / n) if n else None}
    for name, pct in QUANTILES:
        if not n:
            out[name] = None
            continue
        lo, hi, w = rank_bounds(n, pct)
        out[name] = r(float(at[lo] + (at[hi] - at[lo]) * w))
    return out


def summarize(values: Sequence[float]) -> dict[str, float | int | None]:
    """count, mean, median, p90, p99 (seconds, rounded to milliseconds)."""
    xs = sorted(values)
    return summarize_ranked(len(xs), sum(xs), dict(enumerate(xs)))


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
