"""Token buckets by key, the one rate limiter: HTTP callers and outbound platform calls."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from cachetools import TTLCache


class TokenBuckets:
    """``capacity`` tokens per key, refilled at ``per_second``. A bucket idle long enough to be
    full again is dropped, and at most ``max_keys`` are kept (least recently used first out).

    Not a library's: callers need the seconds until the next token, which those give only by waiting."""

    def __init__(
        self,
        capacity: float,
        per_second: float,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.rate = per_second
        self._clock = clock
        self._buckets: TTLCache[Hashable, tuple[float, float]] = TTLCache(
            maxsize=max_keys, ttl=capacity / per_second, timer=clock
        )

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: Hashable) -> float:
        """Take a token of ``key``'s bucket: 0.0 when one was there, else the seconds until one
        will be (nothing taken)."""
        now = self._clock()
        tokens, last = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens - 1.0, now)
        return 0.0
