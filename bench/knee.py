"""The latency knee: the highest offered load whose p99 stays under a target.

Latency at one fixed load says little once that load is above what the machine sustains (the
backlog grows and so does every percentile); the knee says how much load the system takes
within the target here. Found by bisection between two loads, each probe a fixed-load run
on a quiet system; a probe passes when every post was routed, no request failed and p99 is
under the target. Probes are noisy near the knee (one load can pass and then fail), so the
result keeps every probe.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Probe = Callable[[int], Awaitable[dict[str, Any]]]


def passes(res: dict[str, Any], target_ms: float) -> bool:
    p99 = res.get("p99_ms")
    return bool(
        res.get("complete")
        and not res.get("failed_requests")
        and p99 is not None
        and p99 == p99  # not NaN (no latency recorded)
        and p99 < target_ms
    )


def _step(rate: float, resolution: int) -> int:
    return max(resolution, round(rate / resolution) * resolution)


async def find_knee(
    probe: Probe, *, low: int, high: int, target_ms: float, steps: int, resolution: int = 10
) -> dict[str, Any]:
    """Bisect [low, high] for the highest passing load, at most ``steps`` probes in between.

    ``low`` is probed first: if it fails, the knee is below ``low`` (reported as 0). ``high``
    is probed last, only if every probe in between passed: if it passes, the knee is at least
    ``high``. Loads go up gradually because every probe leaves its posts in the broker, and
    the embedded broker's fetches slow down with the batches it holds (docs/performance.md):
    a first probe at ``high`` would make every later probe slower. Loads are rounded to
    ``resolution``.
    """
    if not 0 < low < high:
        raise ValueError("need 0 < low < high")
    probes: list[dict[str, Any]] = []

    async def run(rate: int) -> bool:
        res = await probe(rate)
        ok = passes(res, target_ms)
        probes.append(
            {
                "offered_per_s": rate,
                "p50_ms": res.get("p50_ms"),
                "p95_ms": res.get("p95_ms"),
                "p99_ms": res.get("p99_ms"),
                "complete": res.get("complete"),
                "failed_requests": res.get("failed_requests", 0),
                "passed": ok,
            }
        )
        return ok

    out: dict[str, Any] = {"target_p99_ms": target_ms, "low": low, "high": high, "probes": probes}
    if not await run(low):
        return {**out, "knee_posts_per_s": 0, "first_failing_per_s": low, "bounded": True}
    ok, bad = low, high  # ``high`` not probed yet: failing until it is shown to pass
    for _ in range(steps):
        mid = _step((ok + bad) / 2, resolution)
        if mid <= ok or mid >= bad:
            break
        if await run(mid):
            ok = mid
        else:
            bad = mid
    if bad == high and await run(high):
        return {**out, "knee_posts_per_s": high, "first_failing_per_s": None, "bounded": False}
    return {**out, "knee_posts_per_s": ok, "first_failing_per_s": bad, "bounded": True}
