"""Spike detection on per-minute counts: EWMA baseline, z-score, hysteresis.

The baseline is an exponentially weighted mean and variance of past complete minutes. A
minute (or the partial current minute, so a surge is seen before its minute closes) raises
when its z-score reaches ``z_raise`` and its count reaches ``min_count``; a raised subject
clears when a complete minute falls back to ``z_clear`` or below. While raised the baseline is
frozen, so a surge does not teach the detector that a surge is normal (a lasting new level
clears once the pre-surge minutes have left the window).
The spread has a Poisson floor (sqrt of the mean, at least 1) so a near-constant series
does not turn every small wobble into a large z-score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SpikeParams:
    alpha: float = 0.05
    z_raise: float = 6.0
    z_clear: float = 2.0
    min_count: int = 5
    warmup: int = 10


@dataclass(frozen=True, slots=True)
class Score:
    count: float
    baseline: float
    std: float
    zscore: float


@dataclass(frozen=True, slots=True)
class Verdict:
    """The state of one subject after its series: raised or not, with the evidence."""

    raised: bool
    score: Score
    from_partial: bool = False


class EwmaDetector:
    """Incremental detector over complete minutes (state: mean, variance, raised)."""

    def __init__(self, params: SpikeParams) -> None:
        self.p = params
        self.mean = 0.0
        self.var = 0.0
        self.n = 0
        self.raised = False

    @property
    def warm(self) -> bool:
        return self.n >= self.p.warmup

    def score(self, count: float) -> Score:
        """The z-score of ``count`` against the current baseline (no state change)."""
        std = max(math.sqrt(self.var), math.sqrt(max(self.mean, 1.0)))
        return Score(count, self.mean, std, (count - self.mean) / std)

    def is_surge(self, s: Score) -> bool:
        return self.warm and s.zscore >= self.p.z_raise and s.count >= self.p.min_count

    def step(self, count: float) -> Score:
        """Judge one complete minute, then fold it into the baseline."""
        s = self.score(count)
        if not self.raised and self.is_surge(s):
            self.raised = True
        elif self.raised and s.zscore <= self.p.z_clear:
            self.raised = False
        if not self.raised:
            self._update(count, self.p.alpha)
        return s

    def _update(self, x: float, alpha: float) -> None:
        if self.n == 0:
            self.mean, self.var = x, 0.0
        else:
            diff = x - self.mean
            incr = alpha * diff
            self.mean += incr
            self.var = (1 - alpha) * (self.var + diff * incr)
        self.n += 1


def evaluate(complete: Sequence[float], partial: float, params: SpikeParams) -> Verdict:
    """The subject's state given its complete minutes (oldest first) and the current,
    still-open minute's count so far. Deterministic: the same history gives the same answer
    on any instance, after any restart."""
    det, last = replay(complete, params)
    return judge(det, last, partial)


def replay(complete: Sequence[float], params: SpikeParams) -> tuple[EwmaDetector, Score | None]:
    """The detector after the complete minutes, and the last minute's score."""
    det = EwmaDetector(params)
    last: Score | None = None
    for x in complete:
        last = det.step(x)
    return det, last


def judge(det: EwmaDetector, last: Score | None, partial: float) -> Verdict:
    """Combine the replayed state with the partial current minute."""
    if det.raised:
        assert last is not None
        return Verdict(True, last)
    current = det.score(partial)
    if det.is_surge(current):
        return Verdict(True, current, from_partial=True)
    return Verdict(False, last or current)
