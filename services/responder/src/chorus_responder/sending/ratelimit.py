"""Per-platform pacing: a token bucket per (platform, channel), plus pauses a platform asked
for with 429/Retry-After."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from chorus_common.ratelimit import TokenBuckets


class PlatformPacer:
    def __init__(
        self, rates_per_minute: Mapping[str, int], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rates = dict(rates_per_minute)
        self._clock = clock
        self._buckets: dict[str, TokenBuckets] = {}
        self._paused: dict[tuple[str, str], float] = {}

    def pause(self, platform: str, channel: str, seconds: float) -> None:
        key = (platform, channel)
        self._paused[key] = max(self._paused.get(key, 0.0), self._clock() + seconds)

    def wait_time(self, platform: str, channel: str) -> float:
        """Seconds until a call may go out; 0 means now (and takes a token)."""
        paused = self._paused.get((platform, channel), 0.0) - self._clock()
        if paused > 0:
            return paused
        rate = self._rates.get(platform)
        if not rate:
            return 0.0
        buckets = self._buckets.get(platform)
        if buckets is None:
            capacity = float(max(1, min(rate, 10)))  # small bursts only
            buckets = TokenBuckets(capacity, rate / 60.0, clock=self._clock)
            self._buckets[platform] = buckets
        return buckets.take(channel)
