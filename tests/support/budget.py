"""Measure what one request costs: wall time, and the peak of Python memory it allocates."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
MiB = 2**20


@dataclass(frozen=True)
class Cost:
    seconds: float
    peak_bytes: int

    def within(self, seconds: float, mib: float, what: str) -> None:
        """Assert the cost fits the budget, naming the request when it does not (and print
        it: ``pytest -s`` shows every figure)."""
        print(f"cost: {what}: {self.seconds:.2f} s, {self.peak_bytes / MiB:.1f} MiB")
        assert self.seconds < seconds, f"{what} took {self.seconds:.2f} s (budget {seconds} s)"
        peak = self.peak_bytes / MiB
        assert peak < mib, f"{what} peaked at {peak:.1f} MiB (budget {mib} MiB)"


async def cost_of(call: Callable[[], Awaitable[T]]) -> tuple[T, Cost]:
    """Run ``call`` twice: timed, then under tracemalloc (which slows Python several-fold,
    so it is not timed) for the peak of what it allocated. Returns the first result."""
    began = time.perf_counter()
    result = await call()
    elapsed = time.perf_counter() - began
    tracemalloc.start()
    try:
        await call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, Cost(elapsed, peak)
