"""Measure the spike detector on synthetic traffic: detection delay and false alarms.

Negative mentions arrive as a Poisson process (seeded). The detector is checked every
``check_seconds`` exactly as the service does it: :func:`evaluate` over the complete
minutes of the window plus the partial current minute. Run
``python -m chorus_analytics.domain.spikesim`` for the figures quoted in docs/analytics.md.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from chorus_analytics.domain.spikes import SpikeParams, judge, replay


@dataclass(frozen=True, slots=True)
class Surge:
    start_minute: int
    minutes: int
    rate_per_minute: float


@dataclass(slots=True)
class SimResult:
    raises: list[float] = field(default_factory=list)  # seconds since the series start
    clears: list[float] = field(default_factory=list)
    detection_delay_s: float | None = None
    clear_delay_s: float | None = None
    false_alarms: int = 0


def arrivals(minutes: int, base_rate: float, surge: Surge | None, seed: int) -> list[float]:
    """Event times in seconds: Poisson at ``base_rate``/min plus the surge's extra rate."""
    rng = random.Random(seed)
    out: list[float] = []
    for m in range(minutes):
        rate = base_rate
        if surge and surge.start_minute <= m < surge.start_minute + surge.minutes:
            rate += surge.rate_per_minute
        t = 0.0
        while rate > 0:
            t += rng.expovariate(rate / 60.0)
            if t >= 60.0:
                break
            out.append(m * 60.0 + t)
    return out


def simulate(
    minutes: int,
    base_rate: float,
    *,
    surge: Surge | None = None,
    params: SpikeParams | None = None,
    seed: int = 0,
    check_seconds: float = 10.0,
    window_minutes: int = 120,
) -> SimResult:
    p = params or SpikeParams()
    times = arrivals(minutes, base_rate, surge, seed)
    per_minute = [0] * (minutes + 1)
    for t in times:
        per_minute[int(t // 60)] += 1
    res = SimResult()
    raised = False
    idx = 0
    partial = 0
    cur_minute = -1
    check = check_seconds
    while check <= minutes * 60:
        minute = int(check // 60)
        if minute != cur_minute:
            cur_minute, partial = minute, 0
            det, last = replay(per_minute[max(0, minute - window_minutes) : minute], p)
            while idx < len(times) and times[idx] < minute * 60:
                idx += 1
        while idx < len(times) and times[idx] < check:
            idx += 1
            partial += 1
        # The same replay + judge the service's evaluate() does, replayed once per minute.
        verdict = judge(det, last, partial)
        if verdict.raised and not raised:
            res.raises.append(check)
        elif raised and not verdict.raised:
            res.clears.append(check)
        raised = verdict.raised
        check += check_seconds
    _score(res, surge)
    return res


def _score(res: SimResult, surge: Surge | None) -> None:
    if surge is None:
        res.false_alarms = len(res.raises)
        return
    s0 = surge.start_minute * 60.0
    s1 = (surge.start_minute + surge.minutes) * 60.0
    inside = [t for t in res.raises if s0 <= t < s1]
    res.false_alarms = len(res.raises) - (1 if inside else 0)
    if inside:
        res.detection_delay_s = inside[0] - s0
    after = [t for t in res.clears if t >= s1]
    if after:
        res.clear_delay_s = after[0] - s1


def main() -> None:
    p = SpikeParams()
    print(f"params: {p}")
    for base, extra in ((0.5, 10.0), (2.0, 20.0), (10.0, 40.0)):
        delays: list[float] = []
        clears: list[float] = []
        fa_surge = 0
        fa_flat = 0
        for seed in range(10):
            surge = Surge(start_minute=180, minutes=15, rate_per_minute=extra)
            r = simulate(360, base, surge=surge, params=p, seed=seed)
            fa_surge += r.false_alarms
            if r.detection_delay_s is not None:
                delays.append(r.detection_delay_s)
            if r.clear_delay_s is not None:
                clears.append(r.clear_delay_s)
            fa_flat += simulate(1440, base, params=p, seed=1000 + seed).false_alarms
        print(
            f"base {base}/min surge +{extra}/min: detected {len(delays)}/10, "
            f"delay mean {sum(delays) / max(len(delays), 1):.0f}s max {max(delays, default=0):.0f}s, "
            f"clear delay max {max(clears, default=0):.0f}s, false alarms around surge {fa_surge}, "
            f"false alarms on 10 flat days {fa_flat}"
        )


if __name__ == "__main__":
    main()
