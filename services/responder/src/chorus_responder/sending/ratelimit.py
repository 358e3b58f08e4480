"""Per-platform pacing: a token bucket per (platform, channel), plus pauses a platform asked
for with 429/Retry-After."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping


class PlatformPacer:
    def __init__(
        self, rates_per_minute: Mapping[str, int], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rates = dict(rates_per_minute)
        self._clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._paused: dict[tuple[str, str], float] = {}

    def pause(self, platform: str, channel: str, seconds: float) -> None:
        key = (platform, channel)
        self._paused[key] = max(self._paused.get(key, 0.0), self._clock() + seconds)

    def wait_time(self, platform: str, channel: str) -> float:
        """Seconds until a call may go out; 0 means now (and takes a token)."""
        key = (platform, channel)
        now = self._clock()
        paused = self._paused.get(key, 0.0) - now
        if paused > 0:
            return paused
        rate = self._rates.get(platform)
        if not rate:
            return 0.0
        capacity = float(max(1, min(rate, 10)))  # small bursts only
        per_second = rate / 60.0
        tokens, last = self._buckets.get(key, (capacity, now))
        tokens = min(capacity, tokens + (now - last) * per_second)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / per_second
        self._buckets[key] = (tokens - 1.0, now)
        return 0.0
